import { Global, Module } from '@nestjs/common';
import { MemberEventsService } from './member-events.service';

/** Producer side of member lifecycle jobs (API process). */
@Global()
@Module({ providers: [MemberEventsService], exports: [MemberEventsService] })
export class MemberEventsModule {}
