/**
 * Imported first by a deployed app's flow program: the app's file, loaded
 * there to be run by the flow process, must not start itself as well.
 */
import { setEmbedded } from "../runner/embedded.ts";

setEmbedded();
