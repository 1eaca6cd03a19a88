import { describe, expect, it } from "vitest";
import { FrameQueue } from "./frames";

/** A stand-in for requestAnimationFrame that the test advances by hand. */
function frames(): { next: (callback: () => void) => void; run: () => number } {
  let waiting: (() => void)[] = [];
  return {
    next: (callback) => {
      waiting.push(callback);
    },
    /** Runs one frame; returns how many callbacks it ran. */
    run: () => {
      const now = waiting;
      waiting = [];
      now.forEach((callback) => callback());
      return now.length;
    },
  };
}

describe("FrameQueue", () => {
  it("does at most so many items a frame, in order, and says when it is done", () => {
    const frame = frames();
    const batches: number[][] = [];
    let drained = 0;
    const queue = new FrameQueue<number>(
      2,
      (batch) => batches.push(batch),
      () => (drained += 1),
      frame.next,
    );
    queue.replace([1, 2, 3, 4, 5]);
    expect(batches).toEqual([]);
    expect(queue.pending).toBe(5);
    frame.run();
    expect(batches).toEqual([[1, 2]]);
    frame.run();
    frame.run();
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(drained).toBe(1);
    expect(queue.pending).toBe(0);
    expect(frame.run()).toBe(0);
  });

  it("drops what waits when replaced, and asks for one frame at a time", () => {
    const frame = frames();
    const batches: string[][] = [];
    const queue = new FrameQueue<string>(2, (batch) => batches.push(batch), undefined, frame.next);
    queue.replace(["a", "b", "c", "d"]);
    frame.run();
    queue.replace(["x", "y", "z"]);
    queue.replace(["p", "q", "r"]);
    expect(frame.run()).toBe(1);
    frame.run();
    expect(batches).toEqual([["a", "b"], ["p", "q"], ["r"]]);
  });

  it("keeps what waits when more is pushed", () => {
    const frame = frames();
    const batches: number[][] = [];
    const queue = new FrameQueue<number>(3, (batch) => batches.push(batch), undefined, frame.next);
    queue.push([1, 2, 3, 4]);
    frame.run();
    queue.push([5, 6]);
    frame.run();
    frame.run();
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it("lets frames pass first when asked", () => {
    const frame = frames();
    const batches: number[][] = [];
    const queue = new FrameQueue<number>(5, (batch) => batches.push(batch), undefined, frame.next);
    queue.replace([1, 2], 1);
    frame.run();
    expect(batches).toEqual([]);
    frame.run();
    expect(batches).toEqual([[1, 2]]);
    queue.push([3], 2);
    frame.run();
    frame.run();
    expect(batches).toEqual([[1, 2]]);
    frame.run();
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("takes items queued by its own work in a later frame", () => {
    const frame = frames();
    const seen: number[] = [];
    const queue: FrameQueue<number> = new FrameQueue<number>(
      10,
      (batch) => {
        seen.push(...batch);
        if (batch[0] === 1) {
          queue.push([2]);
        }
      },
      undefined,
      frame.next,
    );
    queue.push([1]);
    frame.run();
    expect(seen).toEqual([1]);
    frame.run();
    expect(seen).toEqual([1, 2]);
  });
});
