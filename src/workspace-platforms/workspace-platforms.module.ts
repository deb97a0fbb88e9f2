import { Module } from '@nestjs/common';
import { WorkspacePlatformsRepository } from './workspace-platforms.repository';

@Module({ providers: [WorkspacePlatformsRepository], exports: [WorkspacePlatformsRepository] })
export class WorkspacePlatformsModule {}
