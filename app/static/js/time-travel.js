// Time travel (docs/protocol.md `seek`, `continue`, `recover`): the scrubber under the loss
// chart looks at a past epoch of the run (its network, maps and losses) without losing the
// rest; "Continue from here" trains on from it, bit for bit as the first time, and so does
// any change made while looking. After a divergence, one button goes back to the last good
// epoch with a tenth of the learning rate.

const $ = (id) => document.getElementById(id);

export class TimeTravel {
  constructor(send) {
    this.send = send;
    this.present = 0; // the newest epoch of the branch in use
    this.viewing = false; // the page shows a past epoch
    this.slider = $("scrubber");
    this.slider.addEventListener("input", () => this.seek(Number(this.slider.value)));
    $("continue-here").addEventListener("click", () => this.send({ type: "continue" }));
    $("recover").addEventListener("click", () => {
      this.send({ type: "recover" });
      this.offerRecover(null);
    });
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

  /** The divergence's way back (`recover` of the `diverged` message), or none. */
  offerRecover(recover) {
    const button = $("recover");
    button.hidden = !recover;
    if (recover) {
      button.textContent = `Rewind to epoch ${recover.epoch} with learning rate ${Number(recover.learningRate.toPrecision(3))}`;
    }
  }
}
