import { CALENDAR_APP } from '../../lifecycle/platform-apps';
import type { WorkspacePlatformSlug } from '../../providers/provider.types';

/** The `{calendar}` path values of Cal.com's calendar endpoints. */
export const CALENDAR_SLUGS = ['apple', 'google', 'office365'] as const;
export type CalendarSlug = (typeof CALENDAR_SLUGS)[number];

/** Cal.com's app-store metadata of a calendar app, as `GET /v2/calendars` returns it under `integration`. */
export interface CalendarAppMetadata {
  type: string;
  slug: string;
  name: string;
  title: string;
  description: string;
  dirName: string;
  logo: string;
  variant: 'calendar';
  category: 'calendar';
  categories: string[];
  publisher: string;
  url: string;
  email: string;
  locationOption: null;
  appData: null;
  installed: boolean;
}

function app(
  type: string,
  slug: string,
  name: string,
  dirName: string,
  description: string,
): CalendarAppMetadata {
  return {
    type,
    slug,
    name,
    title: name,
    description,
    dirName,
    logo: `/app-store/${dirName}/logo.svg`,
    variant: 'calendar',
    category: 'calendar',
    categories: ['calendar'],
    publisher: 'Cal.com',
    url: 'https://cal.com/',
    email: 'help@cal.com',
    locationOption: null,
    appData: null,
    installed: true,
  };
}

export const CALENDAR_APPS: Readonly<Record<CalendarSlug, CalendarAppMetadata>> = {
  google: app(
    CALENDAR_APP.google.type,
    CALENDAR_APP.google.appId,
    'Google Calendar',
    'googlecalendar',
    'Google Calendar is a time-management and scheduling calendar service developed by Google.',
  ),
  office365: app(
    CALENDAR_APP.office365.type,
    CALENDAR_APP.office365.appId,
    'Outlook Calendar',
    'office365calendar',
    'Microsoft Office 365 is a suite of apps that helps you stay connected with others and get things done.',
  ),
  apple: app(
    'apple_calendar',
    'apple-calendar',
    'Apple Calendar',
    'applecalendar',
    'Apple calendar runs both the macOS and iOS mobile operating systems (CalDAV).',
  ),
};

/** Which delegation platform can back a calendar app (Apple/CalDAV has none: manual connections only). */
export const WORKSPACE_PLATFORM_OF: Readonly<Record<CalendarSlug, WorkspacePlatformSlug | null>> = {
  google: 'google',
  office365: 'office365',
  apple: null,
};

/** The calendar app of a credential type (`google_calendar` …), if it is one this service knows. */
export function calendarAppOfType(type: string): { slug: CalendarSlug; app: CalendarAppMetadata } | null {
  const slug = CALENDAR_SLUGS.find((s) => CALENDAR_APPS[s].type === type);
  return slug ? { slug, app: CALENDAR_APPS[slug] } : null;
}

/** Integration names accepted by destination calendars (Cal.com's enum). */
export const CALENDAR_INTEGRATIONS = CALENDAR_SLUGS.map((s) => CALENDAR_APPS[s].type);
