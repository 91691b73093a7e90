// Types of cdktf's jest matchers (a global augmentation of jest.Matchers).

import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { removeTempDir } from './helpers';

Testing.setupJest();
afterAll(removeTempDir);
