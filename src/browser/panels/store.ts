// Panel 3 · Save and load: the meta-policy or the adapted one to IndexedDB or as a download (tfjs
// files); a policy saved in IndexedDB loaded or deleted; files loaded with the file picker.
import type { FromWorker, PolicyInfo, ToWorker } from '../worker';
import { byId, fillSelect, setStatus, type Typed } from './dom';
import { training, type DemoRecord } from './record';

export interface StorePanel {
  setState(state: DemoRecord['store']['state'], message: string): void;
  /** Back to idle, saying what IndexedDB holds (an old error goes). */
  reset(): void;
  /** A new current policy: the save name follows it; a pending load is done. */
  onPolicy(info: PolicyInfo): void;
  onMessage(message: Extract<FromWorker, { type: 'saved' | 'download' | 'models' | 'deleted' }>): void;
  typed(): Record<string, Typed>;
  update(): void;
}

export function storePanel({ record, send }: { record: DemoRecord; send(message: ToWorker): void }): StorePanel {
  const saveName = byId<HTMLInputElement>('save-name');
  const saveWhich = byId<HTMLSelectElement>('save-which');
  const saveIdbButton = byId<HTMLButtonElement>('save-idb');
  const downloadButton = byId<HTMLButtonElement>('download');
  const savedModels = byId<HTMLSelectElement>('saved-models');
  const loadIdbButton = byId<HTMLButtonElement>('load-idb');
  const deleteButton = byId<HTMLButtonElement>('delete-idb');
  const loadFiles = byId<HTMLInputElement>('load-files');
  const status = byId<HTMLDivElement>('store-status');
  /** What the file picker last held, for errors (the input is emptied once read). */
  let chosenFiles = '';

  /** Saves the two files of a tfjs download (what tf.io.browserDownloads writes) through links. */
  function download(name: string, modelJson: string, weights: ArrayBuffer): void {
    const files: [string, Blob][] = [
      [`${name}.json`, new Blob([modelJson], { type: 'application/json' })],
      [`${name}.weights.bin`, new Blob([weights], { type: 'application/octet-stream' })],
    ];
    for (const [fileName, blob] of files) {
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      record.downloads.push(fileName);
    }
  }

  const panel: StorePanel = {
    setState(state, message) {
      record.store = { state, message };
      setStatus(status, state, message);
    },
    reset() {
      panel.setState('idle', record.saved.length ? `Saved in IndexedDB: ${record.saved.join(', ')}.` : 'Nothing saved in IndexedDB yet.');
    },
    onPolicy(info) {
      const base = `${info.env}-${info.algo ?? 'policy'}${info.iterations ? `-${info.iterations}it` : ''}`;
      saveName.value = base.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
      if (record.store.state === 'busy') panel.setState('ok', `Loaded: ${info.origin}.`);
    },
    onMessage(message) {
      switch (message.type) {
        case 'saved':
          panel.setState('ok', `Saved the ${message.which === 'meta' ? 'meta-policy' : 'adapted policy'} to IndexedDB as ${message.name}.`);
          send({ type: 'list' });
          break;
        case 'download':
          download(message.name, message.modelJson, message.weights);
          panel.setState('ok', `Downloaded ${message.name}.json and ${message.name}.weights.bin (tfjs LayersModel).`);
          break;
        case 'deleted':
          panel.setState('ok', `Deleted ${message.name} from IndexedDB.`);
          break;
        case 'models':
          record.saved = message.names;
          if (record.store.state === 'idle') panel.reset();
          fillSelect(savedModels, message.names, message.names.includes(savedModels.value) ? savedModels.value : saveName.value);
          break;
      }
    },
    typed: () => ({
      name: { label: 'Name', text: saveName.value },
      which: { label: 'Policy', text: saveWhich.value },
      files: { label: 'Files', text: chosenFiles, verb: 'chose' },
      source: { label: 'Saved policy', text: savedModels.value, verb: 'chose' },
    }),
    update() {
      const busy = training(record);
      const canUsePolicy = !busy && record.policy !== null;
      const storeBusy = busy || record.store.state === 'busy';
      saveIdbButton.disabled = !canUsePolicy || storeBusy;
      downloadButton.disabled = !canUsePolicy || storeBusy;
      loadIdbButton.disabled = storeBusy || record.saved.length === 0;
      deleteButton.disabled = record.store.state === 'busy' || record.saved.length === 0;
      loadFiles.disabled = storeBusy;
      saveWhich.options[1].disabled = record.adaptation === null;
      if (record.adaptation === null) saveWhich.value = 'meta';
    },
  };

  const save = (to: 'indexeddb' | 'download') => {
    panel.setState('busy', to === 'indexeddb' ? `Saving ${saveName.value} to IndexedDB…` : `Preparing ${saveName.value} for download…`);
    send({ type: 'save', name: saveName.value, which: saveWhich.value as 'meta' | 'adapted', to });
    panel.update();
  };
  byId<HTMLFormElement>('save-form').addEventListener('submit', (event) => { event.preventDefault(); save('indexeddb'); });
  downloadButton.addEventListener('click', () => save('download'));
  byId<HTMLFormElement>('load-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!savedModels.value) return;
    panel.setState('busy', `Loading ${savedModels.value} from IndexedDB…`);
    send({ type: 'load', from: 'indexeddb', name: savedModels.value });
    panel.update();
  });
  deleteButton.addEventListener('click', () => {
    if (!savedModels.value) return;
    panel.setState('busy', `Deleting ${savedModels.value} from IndexedDB…`);
    send({ type: 'delete', name: savedModels.value });
    panel.update();
  });
  loadFiles.addEventListener('change', () => {
    const files = Array.from(loadFiles.files ?? []);
    if (files.length === 0) return;
    chosenFiles = files.map((f) => f.name).join(', ');
    panel.setState('busy', `Loading ${chosenFiles}…`);
    send({ type: 'load', from: 'files', files });
    loadFiles.value = '';
    panel.update();
  });
  return panel;
}
