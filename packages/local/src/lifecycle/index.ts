export { type LifecycleRule, lifecycleRules, selects } from './rules';
export { type SweepReport, sweepLifecycle } from './sweep';
export {
  checkDayLength,
  DAY_SECONDS,
  type LifecycleState,
  type LifecycleSweeper,
  lifecycleStatePath,
  readLifecycleState,
  startLifecycleSweeper,
} from './sweeper';
