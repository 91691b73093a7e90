// Runs s3rver in its own process so that a crash is seen (and reported) by the supervisor.
// Plain JS: started with `node`, no TypeScript loader needed.
import S3rver from 's3rver';

const port = Number(process.env.S3RVER_PORT);
const directory = process.env.S3RVER_DIR;
const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, resetOnClose: false });
const address = await server.run();
process.send?.({ ready: true, port: address.port });
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
