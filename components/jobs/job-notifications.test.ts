import { describe, expect, it } from "vitest";
import { jobEndedOf } from "./job-notifications";

describe("jobEndedOf", () => {
  it("reads the job and how it ended from a job audit event", () => {
    expect(jobEndedOf({ id: 9, action: "job_failed", details: { job: "j-abc", errorType: "oom" } })).toEqual({
      eventId: 9,
      job: "j-abc",
      status: "failed",
      errorType: "oom",
    });
    expect(jobEndedOf({ id: 10, action: "job_completed", details: { job: "j-abc", errorType: 5 } })).toEqual({
      eventId: 10,
      job: "j-abc",
      status: "completed",
      errorType: null,
    });
  });

  it("ignores other job events and ends without a job id", () => {
    expect(jobEndedOf({ id: 1, action: "job_started", details: { job: "j-abc" } })).toBeUndefined();
    expect(jobEndedOf({ id: 2, action: "job_cancelled", details: null })).toBeUndefined();
    expect(jobEndedOf({ id: 3, action: "job_cancelled", details: { job: 7 } })).toBeUndefined();
  });
});
