// Time travel (docs/protocol.md `seek`, `continue`, `recover`): the scrubber under the loss
// chart looks at a past epoch of the run (its network, maps and losses) without losing the
// rest; "Continue from here" trains on from it, bit for bit as the first time, and so does
// any change made while looking. After a divergence, two buttons go back to the last good
// epoch: one with a tenth of the learning rate, one with gradient clipping at that epoch's
// gradient norm (the server picks both values: the `recover` of the `diverged` message).

const $ = (id) => document.getElementById(id);
const short = (value) => Number(value.toPrecision(3));

export class TimeTravel {
  constructor(send) {
    this.send = send;
    this.present = 0; // the newest epoch of the branch in use
    this.viewing = false; // the page shows a past epoch
    this.slider = $("scrubber");
    this.slider.addEventListener("input", () => this.seek(Number(this.slider.value)));
    $("continue-here").addEventListener("click", () => this.send({ type: "continue" }));
    for (const [id, how] of [["recover", "learning_rate"], ["recover-clip", "clip"]]) {
      $(id).addEventListener("click", () => {
        this.send({ type: "recover", how });
        this.offerRecover(null);
      });
    }
  }

  seek(epoch) {
    this.viewing = epoch < this.present;
    this.send({ type: "seek", epoch });
    this.show(epoch);
  }

  /** Every frame: while looking at the past the present stays where it was. The slider
   * starts at the earliest epoch the run can still go back to. */
  onFrame(epoch, earliest = 0) {
    if (!this.viewing) this.present = epoch;
    this.slider.min = String(Math.min(earliest, this.present));
    this.slider.max = String(this.present);
    if (!this.viewing) this.slider.value = String(epoch);
    this.show(Number(this.slider.value));
  }

  /** A `state` answers every change, `continue` and `recover`: the server's epoch is the present. */
  onState() {
    this.viewing = false;
    this.offerRecover(null); // a reset, a change, a continue or a recover: the way back is old news
  }

  show(epoch) {
    $("scrubber-epoch").textContent = epoch.toLocaleString("en-US");
    $("continue-here").hidden = !this.viewing;
  }

  /** The divergence's ways back (`recover` of the `diverged` message), or none; clipping only
   * when the server found a gradient norm to clip at. */
  offerRecover(recover) {
    const rate = $("recover");
    const clip = $("recover-clip");
    rate.hidden = !recover;
    clip.hidden = !recover || recover.gradientClip == null;
    if (!recover) return;
    rate.textContent = `Rewind to epoch ${recover.epoch} with learning rate ${short(recover.learningRate)}`;
    if (recover.gradientClip != null) {
      clip.textContent = `Rewind to epoch ${recover.epoch} with gradient clipping at ${short(recover.gradientClip)}`;
    }
  }
}
