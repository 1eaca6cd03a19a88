//! Build script of the desktop app: lets tauri-build read the root
//! tauri.conf.json, the permissions of Tessera's own commands
//! (src-tauri/permissions/) and the capabilities that grant them
//! (src-tauri/capabilities/). Declaring app permissions makes Tauri refuse
//! any app command no capability grants.

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/permissions");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(
                tauri_build::AppManifest::new()
                    .permissions_path_pattern("./src-tauri/permissions/**/*"),
            ),
    )
    .expect("tauri-build failed");
}
