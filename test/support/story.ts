/** The loopback mock's deterministic story ("word0 word1 … word39"), one word per chunk: what a continued stream must add up to. */
export const STORY = Array.from({ length: 40 }, (_, i) => `${i ? " " : ""}word${i}`);
