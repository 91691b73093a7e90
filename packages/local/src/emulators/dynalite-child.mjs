// Runs dynalite (DynamoDB on LevelDB, by kinesalite's author) in its own process, bound to
// 127.0.0.1 only, with its data on disk so that statuses survive a restart. It runs no TTL: the
// local runtime sweeps expired sessions itself (sweep.ts).
import dynalite from 'dynalite';

const port = Number(process.env.DYNALITE_PORT);
const server = dynalite({
  path: process.env.DYNALITE_DIR,
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
});
server.listen(port, '127.0.0.1', () => process.send?.({ ready: true, port: server.address().port }));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
