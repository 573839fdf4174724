// The work of the dynamic example, in its own module: the manager in app.ts creates one per request.
import * as L from "lit-app";

/** A notebook server: ready once it has a token, then serves until it is stopped. */
export class NotebookWork extends L.LightningWork {
  token: string | null = null;

  async run(username: string) {
    L.onWorkStop(this, () => console.log(`notebook for ${username} shutting down`));
    this.token = `${username}-${Math.random().toString(36).slice(2, 10)}`;
    console.log(`notebook for ${username} is ready`);
    await new Promise(() => {}); // serves until the flow stops it
  }
}
