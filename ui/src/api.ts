// The one module that talks to the Rust side. Every IPC call the UI makes
// goes through here, so the capability list in src-tauri/capabilities can be
// checked against this file.
import { invoke } from "@tauri-apps/api/core";

/** The app's name and version, as the Rust side reports them. */
export interface AppInfo {
  name: string;
  version: string;
}

/** Asks the Rust side for the app's name and version. */
export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}
