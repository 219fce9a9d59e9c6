/** Escaping: every interpolated value is text unless it is a fragment the page built. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, SafeHtml } from '../../../src/server/html.ts';

describe('escapeHtml', () => {
  it.each([
    ['plain.lab.test', 'plain.lab.test'],
    ['<script>', '&lt;script&gt;'],
    ['a & b', 'a &amp; b'],
    ['"quoted"', '&quot;quoted&quot;'],
    ["it's", 'it&#39;s'],
    ['&amp;', '&amp;amp;'],
    ['', ''],
    ['ünïcødé ✓', 'ünïcødé ✓'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe('html tag', () => {
  it.each([
    ['a string', '<x>', '<b>&lt;x&gt;</b>'],
    ['a number', 42, '<b>42</b>'],
    ['null', null, '<b></b>'],
    ['undefined', undefined, '<b></b>'],
    ['false', false, '<b></b>'],
    ['true', true, '<b>true</b>'],
    ['a SafeHtml', new SafeHtml('<i>x</i>'), '<b><i>x</i></b>'],
    ['an array', ['<', new SafeHtml('<i></i>'), 1], '<b>&lt;<i></i>1</b>'],
  ])('inserts %s', (_what, value, expected) => {
    expect(html`<b>${value}</b>`.toString()).toBe(expected);
  });

  it('nests: a fragment built by html is inserted as is', () => {
    const inner = html`<i>${'<&>'}</i>`;
    expect(html`<p title="${'"x"'}">${inner}</p>`.toString()).toBe(
      '<p title="&quot;x&quot;"><i>&lt;&amp;&gt;</i></p>',
    );
  });

  it('keeps a template without values', () => {
    expect(html`<hr>`.toString()).toBe('<hr>');
  });
});
