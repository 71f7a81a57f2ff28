// The SVG figures Node writes (a run's curve.svg, the experiment's band panels) come from the
// isomorphic plotting module, src/plot/ (the page draws its curve with the same code).
export * from '../plot/index';
