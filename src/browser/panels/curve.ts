// The live learning curve of a run (the plotting module's curveSvg, as Node writes curve.svg): the
// x axis spans the planned iterations, and while there is no point it says what to do.
import { curveSvg } from '../../plot/curve';
import { byId } from './dom';
import type { DemoRecord } from './record';

export interface CurvePanel { draw(): void }

export function curvePanel({ record, planned, env }: { record: DemoRecord; planned(): number; env(): string }): CurvePanel {
  const box = byId<HTMLDivElement>('curve');
  return {
    draw() {
      const c = record.config;
      const iterations = planned();
      box.innerHTML = curveSvg(record.metrics, {
        title: c ? `${c.env} · ${c.algo} · seed ${c.seed}` : env(),
        width: 800, height: 320, tagPoints: true,
        xRange: [1, Number.isFinite(iterations) && iterations >= 1 ? iterations : 1],
        emptyText: record.state === 'running' ? 'waiting for the first iteration…' : 'press Start to meta-train',
      });
    },
  };
}
