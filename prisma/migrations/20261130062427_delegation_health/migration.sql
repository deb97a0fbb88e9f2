-- AlterEnum
ALTER TYPE "MemberSyncState" ADD VALUE 'BLOCKED';

-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "nextCheckAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "DelegationCredential" ADD COLUMN     "enabledByUserId" INTEGER;
