import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { ProviderError } from '../../providers/provider.errors';
import { CALENDAR_APPS, type CalendarSlug } from '../shared/calendar-apps';
import { CalendarConnectionsService } from '../shared/calendar-connections.service';
import {
  CalendarCredentialsRepository,
  type CredentialRow,
  type ManualCredentialKey,
} from '../shared/calendar-credentials.repository';
import { type CalendarUser, DelegatedAccessService } from '../shared/delegated-access.service';
import type { CreateCalendarCredentialsInput } from './dto/calendar-credentials.input';
import type {
  CalendarCheckOutput,
  CalendarCredentialsOutput,
  DeletedCalendarCredentialsOutputDto,
} from './dto/calendar-credentials.output';

function toDeletedOutput(row: CredentialRow): DeletedCalendarCredentialsOutputDto {
  return {
    id: row.id,
    type: row.type,
    userId: row.userId,
    teamId: null,
    appId: row.appId,
    invalid: row.invalid,
  };
}

/** The key to store for a manual connection, or a 400 saying which fields this calendar needs. */
function manualKey(slug: CalendarSlug, body: CreateCalendarCredentialsInput): ManualCredentialKey {
  if (slug === 'apple') {
    if (!body.username || !body.password || body.email || body.accessToken)
      throw new BadRequestException('apple credentials need username and password (and nothing else)');
    return {
      email: body.username.toLowerCase(),
      secret: { username: body.username, password: body.password },
    };
  }
  if (!body.email || !body.accessToken || body.username || body.password)
    throw new BadRequestException(`${slug} credentials need email and accessToken (and nothing else)`);
  return { email: body.email.toLowerCase(), secret: { accessToken: body.accessToken } };
}

/** Manual calendar connections (add, disconnect) and the connection check, for the calling user. */
@Injectable()
export class CalendarCredentialsService {
  constructor(
    private readonly credentials: CalendarCredentialsRepository,
    private readonly connections: CalendarConnectionsService,
    private readonly access: DelegatedAccessService,
  ) {}

  async create(
    user: CalendarUser,
    slug: CalendarSlug,
    body: CreateCalendarCredentialsInput,
  ): Promise<CalendarCredentialsOutput> {
    const app = CALENDAR_APPS[slug];
    const key = manualKey(slug, body);
    const existing = await this.credentials.listManual(user.id);
    if (existing.some((row) => row.type === app.type && this.credentials.mailboxOf(row) === key.email))
      throw new ConflictException(`A ${app.type} connection for ${key.email} already exists`);
    const row = await this.credentials.createManual({
      userId: user.id,
      type: app.type,
      appId: app.slug,
      key,
    });
    const { manual } = await this.connections.resolve(user);
    const overriddenBy = manual.find((m) => m.credential.id === row.id)?.overriddenBy ?? null;
    return {
      ...toDeletedOutput(row),
      email: key.email,
      usedForOperations: overriddenBy === null,
      overriddenByDelegationCredentialId: overriddenBy?.delegationCredentialId ?? null,
    };
  }

  /** Manual connections only: a delegated one is the organization's to manage (Cal.com's UI rule, enforced). */
  async disconnect(
    user: CalendarUser,
    slug: CalendarSlug,
    id: number,
  ): Promise<DeletedCalendarCredentialsOutputDto> {
    const row = await this.credentials.findOwned(user.id, id);
    if (!row || row.type !== CALENDAR_APPS[slug].type)
      throw new NotFoundException('Calendar credentials not found');
    if (row.delegationCredentialId) {
      throw new ForbiddenException(
        'This calendar connection is managed by your organization (delegation credential) and cannot be disconnected',
      );
    }
    return toDeletedOutput(await this.credentials.deleteManual(row.id));
  }

  /** Cal.com's check: a usable connection of this calendar, proven through the provider when it is delegated. */
  async check(user: CalendarUser, slug: CalendarSlug): Promise<CalendarCheckOutput> {
    const type = CALENDAR_APPS[slug].type;
    const { delegated, manual } = await this.connections.resolve(user);
    const connection = delegated.find((d) => d.credential.type === type);
    if (connection) {
      try {
        await this.access.call(connection, (provider, credential) =>
          provider.listCalendars(credential, user.email),
        );
      } catch (error) {
        if (error instanceof ProviderError && error.permanent) throw new UnauthorizedException(error.message);
        throw error;
      }
      return {
        type,
        credentialId: connection.credential.id,
        delegationCredentialId: connection.delegationCredentialId,
      };
    }
    const own = manual.find((m) => m.credential.type === type);
    if (!own) throw new BadRequestException(`Credentials for ${type} not found.`);
    if (own.credential.invalid) throw new BadRequestException(`Invalid ${type} credentials.`);
    return { type, credentialId: own.credential.id, delegationCredentialId: null };
  }
}
