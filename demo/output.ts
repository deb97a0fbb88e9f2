/** What the demo prints: numbered steps, results under them, and a live counter on a terminal. */
const tty = Boolean(process.stdout.isTTY);
const paint = (code: string) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const cyan = paint('36');

const write = (text: string) => process.stdout.write(text);

export class DemoFailure extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = 'DemoFailure';
  }
}

let stepNumber = 0;
let currentStep = 'preparing';

export const out = {
  section(title: string): void {
    write(`\n${bold(title)}\n`);
  },
  /** A numbered step of the story; failures are reported under its name. */
  step(title: string): void {
    stepNumber += 1;
    currentStep = `${stepNumber}. ${title}`;
    write(`\n${bold(cyan(`${stepNumber}.`))} ${bold(title)}\n`);
  },
  get currentStep(): string {
    return currentStep;
  },
  set currentStep(name: string) {
    currentStep = name;
  },
  ok(text: string): void {
    write(`   ${green('✓')} ${text}\n`);
  },
  info(text: string): void {
    write(`   ${dim('·')} ${text}\n`);
  },
  warn(text: string): void {
    write(`   ${yellow('!')} ${text}\n`);
  },
  /** An answer the service gave, shown as the person would see it (indented, wrapped lines kept). */
  quote(text: string): void {
    write(`${text.replace(/^/gm, '     │ ')}\n`);
  },
  line(text = ''): void {
    write(`${text}\n`);
  },
  /**
   * A counter that rewrites itself on a terminal (`\r`) and prints at most every 2 s elsewhere (logs, CI);
   * `done()` leaves the final state on its own line.
   */
  progress(label: string) {
    let last = '';
    let lastPrinted = 0;
    return {
      update(text: string): void {
        if (text === last) return;
        last = text;
        if (tty) write(`\r   ${dim('…')} ${label}: ${text}\u001b[K`);
        else if (Date.now() - lastPrinted > 2000) {
          lastPrinted = Date.now();
          write(`   … ${label}: ${text}\n`);
        }
      },
      done(text: string): void {
        if (tty) write('\r\u001b[K');
        write(`   ${green('✓')} ${label}: ${text}\n`);
      },
      fail(): void {
        if (tty) write('\n');
      },
    };
  },
  fail(step: string, message: string): void {
    write(`\n${red('✗')} ${bold(`Failed at step ${step}`)}\n${message.replace(/^/gm, '  ')}\n`);
  },
};

/** A bar such as `[██████░░░░] 120/199` for a progress counter. */
export function bar(done: number, total: number, width = 24): string {
  const filled = total ? Math.round((Math.min(done, total) / total) * width) : width;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}
