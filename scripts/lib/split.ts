import type { SequenceDataset } from '../../src/engine/data/types';
import type { EvalCase } from '../../src/engine/eval/rankTargets';

/**
 * Leave-one-out split used in the literature: per user the last item is the test target, the
 * one before it the validation target; training sees the rest. Users with < 3 items only train.
 */
export interface LooSplit {
  train: Int32Array[];
  valid: EvalCase[];
  test: EvalCase[];
  /** Dataset user index of each valid/test case. */
  evalUsers: number[];
}

export function leaveOneOut(ds: SequenceDataset): LooSplit {
  const train: Int32Array[] = [];
  const valid: EvalCase[] = [];
  const test: EvalCase[] = [];
  const evalUsers: number[] = [];
  ds.sequences.forEach((s, u) => {
    if (s.length < 3) {
      if (s.length >= 2) train.push(s);
      return;
    }
    train.push(s.subarray(0, s.length - 2));
    const all = s; // every item the user has is excluded from the ranking except the target
    valid.push({ history: s.subarray(0, s.length - 2), target: s[s.length - 2], exclude: all.subarray(0, s.length - 2) });
    test.push({ history: s.subarray(0, s.length - 1), target: s[s.length - 1], exclude: all.subarray(0, s.length - 1) });
    evalUsers.push(u);
  });
  return { train, valid, test, evalUsers };
}
