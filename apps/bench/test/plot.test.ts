import { escapeXml, formatTick, lineChart, logTicks, niceTicks } from '../src/plot';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 × 10^k and covers the range', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(3, 97, 5)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(0, 1234, 5)).toEqual([0, 500, 1000]);
  });
  it('handles a flat or non-finite range', () => {
    expect(niceTicks(4, 4)).toEqual([4]);
    expect(niceTicks(Number.NaN, 4)).toEqual([]);
  });
});

describe('logTicks', () => {
  it('gives 1, 2, 5 × 10^k inside the range', () => {
    expect(logTicks(10, 500)).toEqual([10, 20, 50, 100, 200, 500]);
    expect(logTicks(0, 10)).toEqual([]);
  });
});

describe('lineChart', () => {
  const svg = lineChart({
    title: 'p99 <accept> & e2e',
    subtitle: 'npm run bench -- load',
    xLabel: 'clients',
    yLabel: 'ms',
    logX: true,
    series: [
      {
        name: 'sync',
        points: [
          [10, 5],
          [100, 50],
          [500, Number.NaN],
        ],
      },
      {
        name: 'async',
        points: [
          [10, 1],
          [100, 2],
          [0, 3],
        ],
      },
    ],
    markers: [{ x: 50, label: 'kill' }],
  });

  it('writes a standalone SVG with one polyline and legend entry per series', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('>sync</text>');
    expect(svg).toContain('>async</text>');
    expect(svg).toContain('>kill</text>');
  });

  it('escapes text and leaves out points a log axis cannot show', () => {
    expect(svg).toContain('p99 &lt;accept&gt; &amp; e2e');
    // NaN and x = 0 on a log axis are dropped: 2 + 2 dots.
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('Infinity');
  });

  it('is deterministic and renders an empty chart without failing', () => {
    expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toBe(
      lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] }),
    );
  });

  it('escapes and formats helpers', () => {
    expect(escapeXml(`"a'&`)).toBe('&quot;a&apos;&amp;');
    expect(formatTick(12_500)).toBe('12.5k');
    expect(formatTick(0.25)).toBe('0.25');
  });
});
