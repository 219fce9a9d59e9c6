/** The status page's Kubernetes parts: forecast lines, worst first, and the API trouble warning. */
import { describe, expect, it } from 'vitest';
import type { KubernetesStatus, ServiceForecastStatus } from '../../../src/daemon/status.ts';
import { forecastSentence, renderStatusPage } from '../../../src/server/page.ts';
import { snapshotFixture } from './fixtures.ts';

function forecast(
  service: string,
  namespace: string,
  ready: number,
  more: Partial<ServiceForecastStatus> = {},
) {
  const predictedBytes = 44 + 16 * ready;
  return {
    namespace,
    service,
    name: `${service}.${namespace}.svc.cluster.local`,
    headroomBytes: 512 - predictedBytes,
    probed: 512 - predictedBytes < 64,
    qtypes: [
      {
        qtype: 'A' as const,
        readyEndpoints: ready,
        predictedBytes,
        headroomBytes: 512 - predictedBytes,
        maxSafeEndpoints: 29,
      },
    ],
    ...more,
  };
}

function kube(more: Partial<KubernetesStatus> = {}): KubernetesStatus {
  return { error: null, watches: [], dnsServers: [], forecasts: [], ...more };
}

describe('forecastSentence', () => {
  it.each([
    [forecast('web', 'shop', 27), 'web in shop: 27 of 29 safe endpoints'],
    [forecast('web', 'shop', 35), 'web in shop: 35 of 29 safe endpoints'],
    [
      forecast('db', 'a', 3, {
        qtypes: [
          { qtype: 'A', readyEndpoints: 3, predictedBytes: 90, headroomBytes: 422, maxSafeEndpoints: 29 },
          {
            qtype: 'AAAA',
            readyEndpoints: 18,
            predictedBytes: 548,
            headroomBytes: -36,
            maxSafeEndpoints: 16,
          },
        ],
      }),
      'db in a: 18 of 16 safe endpoints (AAAA)',
    ],
    [forecast('x', 'y', 0, { qtypes: [] }), 'x in y: no endpoints'],
  ])('%#: %s', (f, sentence) => {
    expect(forecastSentence(f)).toBe(sentence);
  });
});

describe('status page with Kubernetes', () => {
  it('lists the forecasts with their badges, and nothing when there are none', () => {
    const page = renderStatusPage(
      snapshotFixture([], {
        kubernetes: kube({
          forecasts: [forecast('web', 'shop', 35), forecast('web', 'shop2', 27), forecast('db', 'shop', 3)],
        }),
      }),
    );
    expect(page).toContain('Headless Services, closest to 512 first');
    expect(page).toMatch(/OVER 512<\/span><h3>web in shop: 35 of 29 safe endpoints/);
    expect(page).toMatch(/NEAR<\/span><h3>web in shop2: 27 of 29 safe endpoints/);
    expect(page).toMatch(/OK<\/span><h3>db in shop: 3 of 29 safe endpoints/);
    expect(page).toContain('92 B over');
    expect(renderStatusPage(snapshotFixture([], { kubernetes: kube() }))).not.toContain('Headless Services');
    expect(renderStatusPage(snapshotFixture([]))).not.toContain('Headless Services');
  });

  it('shows the worst 50 and points to /status for the rest', () => {
    const many = Array.from({ length: 60 }, (_, i) => forecast(`s${i}`, 'ns', 5));
    const page = renderStatusPage(snapshotFixture([], { kubernetes: kube({ forecasts: many }) }));
    expect(page.match(/class="forecast /g)).toHaveLength(50);
    expect(page).toContain('And 10 more with more headroom');
  });

  it('warns while a watch is retrying or the API is out of reach', () => {
    const retrying = renderStatusPage(
      snapshotFixture([], {
        kubernetes: kube({
          watches: [{ resource: 'services', phase: 'retrying', restarts: 3, lastError: 'HTTP 500' }],
        }),
      }),
    );
    expect(retrying).toContain('Kubernetes API trouble');
    expect(retrying).toContain('services watch retrying (3 restarts, last error HTTP 500)');
    const unreachable = renderStatusPage(
      snapshotFixture([], { kubernetes: kube({ error: 'no --kubeconfig <x>' }) }),
    );
    expect(unreachable).toContain('no --kubeconfig &lt;x&gt;');
    const fine = renderStatusPage(
      snapshotFixture([], {
        kubernetes: kube({
          watches: [{ resource: 'services', phase: 'connected', restarts: 1, lastError: null }],
        }),
      }),
    );
    expect(fine).not.toContain('Kubernetes API trouble');
  });
});
