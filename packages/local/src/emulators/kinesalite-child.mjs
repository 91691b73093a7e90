// Runs kinesalite in its own process, bound to 127.0.0.1 only (its CLI binds every interface),
// with on-disk persistence so stream records survive a restart.
import kinesalite from 'kinesalite';

const port = Number(process.env.KINESALITE_PORT);
const server = kinesalite({
  path: process.env.KINESALITE_DIR,
  createStreamMs: 0,
  deleteStreamMs: 0,
  updateStreamMs: 0,
  shardLimit: 100,
});
server.listen(port, '127.0.0.1', () => process.send?.({ ready: true, port: server.address().port }));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
