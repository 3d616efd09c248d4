// Small helpers of the page's views.

/** The element with this id (it is in index.html). */
export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el;
}

/** A number with `digits` decimals. */
export const fmt = (v: number, digits: number): string => v.toFixed(digits);

/** The whole number in an input, or a sentence saying what is wrong with it. */
export function intField(id: string, label: string, min: number, max: number): number | string {
  const raw = ($(id) as HTMLInputElement).value.trim();
  const v = Number(raw);
  if (raw === "" || !Number.isInteger(v)) return `${label} must be a whole number, got "${raw}".`;
  if (v < min || v > max) return `${label} must be from ${min} to ${max}, got ${v}.`;
  return v;
}

/** Shows a message in a status line, marked as an error or not. */
export function say(el: HTMLElement, text: string, error = false): void {
  el.textContent = text;
  el.classList.toggle("error", error);
}

/** Anything that can be paused, resumed and aborted (a TrainingRun). */
interface Controllable {
  pause(): void;
  resume(): void;
  abort(): void;
}

/**
 * The Train / Pause-Resume / Stop buttons around one run at a time; while paused, the status line ends with
 * "(paused)" (`mark` adds it to a new message).
 */
export class RunControls {
  private run: Controllable | undefined;
  paused = false;

  constructor(
    private readonly train: HTMLButtonElement,
    private readonly pauseButton: HTMLButtonElement,
    private readonly stopButton: HTMLButtonElement,
    private readonly status: HTMLElement,
  ) {
    pauseButton.addEventListener("click", () => {
      if (!this.run) return;
      this.paused = !this.paused;
      if (this.paused) this.run.pause();
      else this.run.resume();
      pauseButton.textContent = this.paused ? "Resume" : "Pause";
      say(status, this.mark((status.textContent ?? "").replace(/ \(paused\)$/, "")));
    });
    stopButton.addEventListener("click", () => this.run?.abort());
  }

  /** A status message, with " (paused)" while the run is paused. */
  mark(text: string): string {
    return this.paused ? `${text} (paused)` : text;
  }

  started(run: Controllable): void {
    this.run = run;
    this.paused = false;
    this.pauseButton.textContent = "Pause";
    this.train.disabled = true;
    this.pauseButton.disabled = false;
    this.stopButton.disabled = false;
  }

  ended(): void {
    this.run = undefined;
    this.train.disabled = false;
    this.pauseButton.disabled = true;
    this.stopButton.disabled = true;
  }
}

/** The two files of a model folder chosen in a file input, read; or what is missing. */
export async function modelFilesOf(input: HTMLInputElement): Promise<{ config: string; weights: Uint8Array; names: string } | string> {
  const chosen = [...(input.files ?? [])];
  const config = chosen.find((f) => f.name.endsWith(".json"));
  const weights = chosen.find((f) => f.name.endsWith(".safetensors"));
  if (config === undefined || weights === undefined) return "Choose both files of the model folder: config.json and weights.safetensors.";
  return { config: await config.text(), weights: new Uint8Array(await weights.arrayBuffer()), names: `${config.name} and ${weights.name}` };
}

/** The number in an input, or a sentence saying what is wrong with it. */
export function numField(id: string, label: string, min: number, max: number): number | string {
  const raw = ($(id) as HTMLInputElement).value.trim();
  const v = Number(raw);
  if (raw === "" || !Number.isFinite(v)) return `${label} must be a number, got "${raw}".`;
  if (v < min || v > max) return `${label} must be from ${min} to ${max}, got ${v}.`;
  return v;
}
