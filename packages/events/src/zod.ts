import { en } from 'zod/locales';
import { config } from 'zod/mini';

// Schemas use zod/mini: the same core, checks and messages as zod's classic API, in functions
// a bundler can drop when unused. (`import { z } from 'zod'` pulls all of zod into every
// bundle: ~430 KB of the ~940 KB a function weighed.) Mini loads no locale by itself; English
// keeps the messages the classic API gives ("Invalid input: expected object, received null").
// package.json lists this file under sideEffects, so that bundlers keep the config call.
config(en());

export * from 'zod/mini';
