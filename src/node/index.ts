// Node-only helpers (file system, CLI, worker threads). Imported as 'directed-maml/node'.
// Importing it makes worker_threads the trainers' default pool workers (config field `workers`) and
// lets dm.loadPolicy read files (a path or a file:// URL).
import { setDefaultWorkerFactory } from '../train/pool';
import { nodeWorkerFactory } from './pool';
import { setFileHandlers } from '../train/files';
import { fileLoadHandler, fileSaveHandler, registerFileRouters } from './store';

setDefaultWorkerFactory(nodeWorkerFactory());
// dm.loadPolicy reads plain paths and file:// URLs (through the file handler below), and tfjs's IO
// registry gets file:// routers: dm.exportPolicy(policy, 'file:///…') and tf.loadLayersModel('file://…').
setFileHandlers({ load: fileLoadHandler, save: (target) => fileSaveHandler(target) });
registerFileRouters();
export { nodeWorkerFactory };
export { main as cliMain } from './cli';
export { writeFileAtomic, fileSaveHandler, fileLoadHandler, registerFileRouters, filePath, MAX_MODEL_JSON_BYTES, appendMetrics, readMetrics, readMetricsFile, writeMetrics, FileError, METRICS_FILE, type MetricsFile } from './store';
export { RUN_FILE, LOCK_FILE, STATE_FILE, POLICY_DIR, CURVE_FILE } from './run-files';
export { shellQuote } from './shell';
export { acquireRunLock, type RunLock, type LockInfo } from './run-lock';
export { readRunFile, identityOf, type RunIdentity } from './run-identity';
export { readRun, readStateFile, inspectRunDir, type RunContents } from './run-survey';
export { runTraining, resumeCommand, type RunTrainingOptions, type StartedRun, type TrainingResult } from './run-training';
export { curveSvg, niceTicks, acrossRuns, logTicks, bandPanelsSvg, type CurveOptions, type Run, type RunSummary, type BandSeries, type BandPanel, type BandPlotOptions } from './plot';
export { ProgressBar, formatDuration, type ProgressOptions, type ProgressStream } from './progress';
export { trainCommand } from './commands/train';
export { adaptCommand } from './commands/adapt';
export { experimentCommand, planExperiment, EXPERIMENT_FILE } from './commands/experiment';
export { evaluateCommand } from './commands/evaluate';
export { heldoutEvaluation, type HeldoutRecord } from './experiment/heldout';
export { resolveGrid, tuneCells, mainCells, controlSeedsOf, oracleRanges, armName, cellName, baseOf, DEFAULT_THRESHOLDS, DEFAULT_MARGINS, RETURN_MARGIN_FRACTION, METRIC_NAMES, type MetricName, type Grid, type Cell, type HeldoutSpec, type Controls, type Overrides, type Widened } from './experiment/grid';
export { runCellByCli, evaluationPoints, readHeldout, cellComplete, HELDOUT_FILE, type RunCell, type CellHooks, type CellOutcome } from './experiment/run-cell';
export { runLocal, cellDir, CELLS_DIR } from './experiment/scheduler';
export { writeReport, pickOuterLr, loadCell, resultsMarkdown, secondsText, RESULTS_JSONL, RESULTS_MD } from './experiment/report';
export { analyse, cellResult, tuningOf, widenSweep, edgeWarnings, CLAIM_ALPHA, type CellResult, type Report, type Claim, type Comparison, type ArmSummary, type TuningResult, type Picks, type UntestedClaim } from './experiment/analysis';
export { headroomOf, type HeadroomResult, type HeadroomLabel } from './experiment/headroom';
export * as stats from './experiment/stats';
export * as inference from './experiment/inference';
export * as figures from './experiment/figures';
