/** A sequential dataset: every user's items, oldest first, as dense ids 1..numItems. */
export interface SequenceDataset {
  /** Where it came from (file or folder name), for messages and model cards. */
  source: string;
  numItems: number;
  /** External user ids, parallel to `sequences`. */
  userIds: string[];
  sequences: Int32Array[];
  /** Optional per-interaction rating, parallel to `sequences` (explicit-feedback data). */
  ratings?: Float32Array[];
  /** Optional per-interaction time in seconds since the epoch, parallel to `sequences`. */
  times?: Float64Array[];
  /** External item id of dense id i at index i (index 0 is padding, ''). */
  itemIds: string[];
}
