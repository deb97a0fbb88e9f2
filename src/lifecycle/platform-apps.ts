import type { WorkspacePlatformSlug } from '../providers/provider.types';

/** The member-side app a delegation credential installs, per platform (Cal.com's type / appId / integration names). */
export const CALENDAR_APP: Record<
  WorkspacePlatformSlug,
  { type: string; appId: string; integration: string }
> = {
  google: { type: 'google_calendar', appId: 'google-calendar', integration: 'google_calendar' },
  office365: { type: 'office365_calendar', appId: 'office365-calendar', integration: 'office365_calendar' },
};

/** Conferencing that comes with the delegated calendar (Google Meet, Microsoft Teams). */
export const CONFERENCING_APP: Record<WorkspacePlatformSlug, { type: string; appId: string }> = {
  google: { type: 'google_video', appId: 'google-meet' },
  office365: { type: 'office365_video', appId: 'msteams' },
};
