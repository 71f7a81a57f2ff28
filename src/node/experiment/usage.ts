// `dmaml worker --help` (apart from the queue module, so help never loads BullMQ).
export const WORKER_USAGE = `Usage:
  dmaml worker --queue redis://HOST:PORT [--jobs N] [--lock-seconds 30]
      runs cells of 'dmaml experiment --queue' from the BullMQ queue on this machine, --jobs at a time
      (default: the cores), each in a local temporary directory; metrics, checkpoints and held-out
      records travel through Redis after every iteration. A cell whose worker stops answering for
      --lock-seconds goes back to the queue and resumes on another worker from its last checkpoint.
      Runs until Ctrl-C (cells in progress go back to the queue).
`;
