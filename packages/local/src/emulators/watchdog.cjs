// Preloaded (`node --require`) into every emulator child: the child ends with the process that
// started it, even when that process was SIGKILLed and could run no handler of its own.
// cognito-local has no hook for this, so without it a killed stack left it holding its port.
'use strict';

const parent = process.ppid;
// How long a child with a graceful stop of its own (s3rver, kinesalite close their servers on
// `disconnect`) may take before it is ended anyway: a client's keep-alive connection must not
// keep a server of a dead stack alive.
const GRACE_MS = 2000;
let leaving = false;

function leave() {
  if (leaving) return;
  leaving = true;
  const ownStop = process.listenerCount('disconnect') > 1;
  setTimeout(() => process.exit(0), ownStop ? GRACE_MS : 0);
}

// The IPC channel closes the moment the parent dies, however it died.
process.on('disconnect', leave);
// In case there is no channel: the parent is gone once this process has been handed to another.
setInterval(() => {
  if (process.ppid !== parent) leave();
}, 500).unref();
