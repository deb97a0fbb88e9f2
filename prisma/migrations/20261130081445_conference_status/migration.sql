-- CreateEnum
CREATE TYPE "ConferenceStatus" AS ENUM ('READY', 'PENDING', 'FAILED');

-- AlterTable
ALTER TABLE "CalendarEventReference" ADD COLUMN     "conferenceError" TEXT,
ADD COLUMN     "conferenceStatus" "ConferenceStatus";

-- Events written before: a stored link means the conference was ready.
UPDATE "CalendarEventReference" SET "conferenceStatus" = 'READY' WHERE "meetingUrl" IS NOT NULL;
