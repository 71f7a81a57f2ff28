// The plotting module (isomorphic: no node:* and no DOM): one tick rule, the learning curve and the
// band panels, as SVG text. Node writes the text to files (src/node/plot.ts re-exports it); the page
// puts the curve's markup in its document.
export { niceTicks, logTicks, formatTick } from './ticks';
export { curveSvg, type CurveOptions } from './curve';
export { acrossRuns, interpolate, bandPanelsSvg, type Run, type RunSummary, type BandSeries, type BandPanel, type BandPlotOptions } from './bands';
