// The undo/redo history of the user's points, one per problem type (the dataset
// setting: classification and regression points are kept apart).
//
// A step is the data the server sent back after an edit, so undo restores
// exactly what trained. While an edit is on its way there is nothing to undo yet.

class Steps {
  constructor() {
    this.states = []; // {name, train, test}: the data before the first edit, then after each edit
    this.cursor = -1; // the state on screen
    this.pending = 0; // edits sent, not yet answered
  }
}

export class EditHistory {
  constructor() {
    this.byKey = new Map();
  }

  steps(key) {
    if (!this.byKey.has(key)) this.byKey.set(key, new Steps());
    return this.byKey.get(key);
  }

  /** An edit is about to be sent; `current` is the data on screen. Anything to redo is gone. */
  beforeEdit(key, current) {
    const steps = this.steps(key);
    if (steps.pending === 0) {
      steps.states = steps.states.slice(0, steps.cursor + 1);
      steps.states[Math.max(steps.cursor, 0)] = current;
      steps.cursor = Math.max(steps.cursor, 0);
    }
    steps.pending += 1;
  }

  /** The server sent new data: an edit's result is a new step, anything else refreshes the current one. */
  afterData(key, current) {
    const steps = this.steps(key);
    if (steps.pending > 0) {
      steps.pending -= 1;
      steps.states = steps.states.slice(0, steps.cursor + 1);
      steps.states.push(current);
      steps.cursor += 1;
    } else if (steps.cursor >= 0) {
      steps.states[steps.cursor] = current;
    }
  }

  refused(key) {
    const steps = this.steps(key);
    steps.pending = Math.max(0, steps.pending - 1);
  }

  canUndo(key) {
    const steps = this.steps(key);
    return steps.pending === 0 && steps.cursor > 0;
  }

  canRedo(key) {
    const steps = this.steps(key);
    return steps.pending === 0 && steps.cursor < steps.states.length - 1;
  }

  /** The state to go back to, or null. */
  undo(key) {
    if (!this.canUndo(key)) return null;
    const steps = this.steps(key);
    steps.cursor -= 1;
    return steps.states[steps.cursor];
  }

  redo(key) {
    if (!this.canRedo(key)) return null;
    const steps = this.steps(key);
    steps.cursor += 1;
    return steps.states[steps.cursor];
  }
}
