import { Module } from '@nestjs/common';
import { DelegationCredentialsRepository } from '../../delegation-credentials/delegation-credentials.repository';
import { CalendarContextService } from '../shared/calendar-context.service';
import { CalendarCredentialsRepository } from '../shared/calendar-credentials.repository';
import { CalendarPreferencesRepository } from '../shared/calendar-preferences.repository';
import { DelegatedAccessService } from '../shared/delegated-access.service';
import { ConferenceLinksService } from './conference-links.service';
import { EventReferencesRepository } from './event-references.repository';

/**
 * The fill-conference-link job's work, for the worker process (no HTTP): member resolution and provider access as
 * the API does them. Needs the global Prisma, crypto, providers and member-lifecycle modules.
 */
@Module({
  providers: [
    ConferenceLinksService,
    EventReferencesRepository,
    DelegatedAccessService,
    CalendarCredentialsRepository,
    CalendarPreferencesRepository,
    CalendarContextService,
    DelegationCredentialsRepository,
  ],
  exports: [ConferenceLinksService],
})
export class ConferenceLinksModule {}
