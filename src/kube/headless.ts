/**
 * Which Services get a forecast and which names get probed for real, from the watched Services
 * and EndpointSlices; pure.
 *
 * - A forecast for every headless Service (`clusterIP: None`, not ExternalName) in the configured
 *   namespaces matching the label selector, at most `maxServices`, those closest to 512 bytes first
 *   so a cap never hides the one about to break.
 * - A real probe of the Service name once a forecast's headroom drops under the margin. It stays
 *   probed until the headroom is one A record (16 bytes) above the margin again, so a rollout that
 *   moves the ready count by one back and forth does not add and remove the target (and its
 *   series) every few seconds.
 * - ExternalName Services (opt-in): their `externalName` as a probe target, distinct names only,
 *   at most `max`, in name order.
 */

import { byCodeUnit } from '../compare.ts';
import type { Qtype } from '../probe/types.ts';
import { checkName } from '../resolver/name.ts';
import { readyAddresses } from './endpoints.ts';
import { forecastService, type ServiceForecast } from './forecast.ts';
import { type LabelSelector, matchesLabels } from './label-selector.ts';
import { type EndpointSliceObject, SERVICE_NAME_LABEL, type ServiceObject } from './objects.ts';

/** The settings the selection reads (`kubernetes.headless` of the config). */
export interface HeadlessSettings {
  /** Empty: every namespace. */
  readonly namespaces: readonly string[];
  readonly labelSelector: LabelSelector;
  readonly clusterDomain: string;
  readonly probeMarginBytes: number;
  readonly maxServices: number;
}

/** Forecasts, worst first, and how many headless Services the cap left out. */
export interface HeadlessView {
  readonly forecasts: readonly ServiceForecast[];
  readonly omitted: number;
}

/** Extra headroom (one A record) a probed Service needs before its probe stops. */
export const PROBE_HYSTERESIS_BYTES = 16;

/** Headless: no cluster IP, so the name answers with every ready endpoint (not an ExternalName CNAME). */
export function isHeadless(service: ServiceObject): boolean {
  return service.spec?.clusterIP === 'None' && service.spec.type !== 'ExternalName';
}

function qtypesOf(service: ServiceObject): readonly Qtype[] | undefined {
  const families = service.spec?.ipFamilies;
  if (!families || families.length === 0) return undefined;
  const qtypes: Qtype[] = [];
  if (families.includes('IPv4')) qtypes.push('A');
  if (families.includes('IPv6')) qtypes.push('AAAA');
  return qtypes.length > 0 ? qtypes : undefined;
}

/** Slices per `namespace/service`. */
export function slicesByService(
  slices: readonly EndpointSliceObject[],
): ReadonlyMap<string, readonly EndpointSliceObject[]> {
  const out = new Map<string, EndpointSliceObject[]>();
  for (const slice of slices) {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!service) continue;
    const key = `${slice.metadata?.namespace ?? ''}/${service}`;
    const list = out.get(key);
    if (list) list.push(slice);
    else out.set(key, [slice]);
  }
  return out;
}

/** Forecasts for the selected headless Services. */
export function headlessForecasts(
  services: readonly ServiceObject[],
  slices: readonly EndpointSliceObject[],
  settings: HeadlessSettings,
): HeadlessView {
  const bySvc = slicesByService(slices);
  const all: ServiceForecast[] = [];
  for (const service of services) {
    const namespace = service.metadata?.namespace;
    const name = service.metadata?.name;
    if (!namespace || !name || !isHeadless(service)) continue;
    if (settings.namespaces.length > 0 && !settings.namespaces.includes(namespace)) continue;
    if (!matchesLabels(settings.labelSelector, service.metadata?.labels)) continue;
    const ready = readyAddresses(bySvc.get(`${namespace}/${name}`) ?? []);
    const qtypes = qtypesOf(service);
    all.push(
      forecastService({
        service: name,
        namespace,
        clusterDomain: settings.clusterDomain,
        readyIpv4: ready.ipv4.length,
        readyIpv6: ready.ipv6.length,
        ...(qtypes ? { qtypes } : {}),
      }),
    );
  }
  all.sort(
    (a, b) =>
      a.headroomBytes - b.headroomBytes ||
      byCodeUnit(a.namespace, b.namespace) ||
      byCodeUnit(a.service, b.service),
  );
  return {
    forecasts: all.slice(0, settings.maxServices),
    omitted: Math.max(0, all.length - settings.maxServices),
  };
}

/**
 * Names of the forecast Services to probe for real: headroom under the margin, or still under
 * margin + 16 bytes when probed already (`probedBefore` holds names).
 */
export function namesToProbe(
  forecasts: readonly ServiceForecast[],
  probeMarginBytes: number,
  probedBefore: ReadonlySet<string>,
): readonly string[] {
  return forecasts
    .filter((f) =>
      probedBefore.has(f.name)
        ? f.headroomBytes < probeMarginBytes + PROBE_HYSTERESIS_BYTES
        : f.headroomBytes < probeMarginBytes,
    )
    .map((f) => f.name);
}

/** Distinct ExternalName targets, in name order, at most `max`. */
export interface ExternalNames {
  readonly names: readonly string[];
  readonly omitted: number;
  /** Services whose `externalName` is not a usable hostname (skipped). */
  readonly invalid: number;
}

/** The `externalName` of every ExternalName Service, as a probe target name. */
export function externalNames(services: readonly ServiceObject[], max: number): ExternalNames {
  const names = new Set<string>();
  let invalid = 0;
  for (const service of services) {
    if (service.spec?.type !== 'ExternalName') continue;
    const target = service.spec.externalName?.toLowerCase();
    if (!target || checkName(target) !== null) {
      invalid++;
      continue;
    }
    names.add(target);
  }
  const sorted = [...names].sort();
  return { names: sorted.slice(0, max), omitted: Math.max(0, sorted.length - max), invalid };
}
