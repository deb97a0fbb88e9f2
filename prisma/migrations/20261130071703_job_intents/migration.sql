-- CreateTable
CREATE TABLE "JobIntent" (
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "JobIntent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "JobIntent_nextAttemptAt_id_idx" ON "JobIntent"("nextAttemptAt", "id");

-- Wakes the dispatchers (every API and worker process LISTENs on `job_intent`) when a transaction that recorded
-- intents commits: PostgreSQL delivers a notification only on commit, so a dispatcher never wakes for a change that
-- is not visible yet. One notification per statement (and duplicates within a transaction are folded into one).
CREATE FUNCTION job_intent_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('job_intent', '');
  RETURN NULL;
END $$;

CREATE TRIGGER job_intent_notify AFTER INSERT ON "JobIntent"
  FOR EACH STATEMENT EXECUTE FUNCTION job_intent_notify();
