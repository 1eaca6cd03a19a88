//! Keeping the open vault out of core dumps and debuggers.
//!
//! While the vault is open, the process holds the master key and every
//! decrypted secret. A crash would otherwise write all of it to a core file
//! (often kept by systemd-coredump, readable later), and another process of
//! the same user could read it with ptrace. Both binaries call
//! [`forbid_core_dumps`] before they read a password or a vault, so the
//! whole time secrets can be in memory is covered.

use std::io;

/// What [`forbid_core_dumps`] could put in place on this OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoreDumpGuard {
    /// The core size limit is zero and (on Linux) the process is marked not
    /// dumpable, which also bars ptrace by other processes of the user.
    Forbidden,
    /// This OS has no such control here (Windows writes no core files
    /// unless crash dumps are configured machine-wide).
    Unsupported,
}

/// Forbids core dumps of this process, and on Linux ptrace attachment by
/// other unprivileged processes, for the rest of its life.
///
/// Children started afterwards get the zero core limit too; `exec` resets
/// the dumpable flag, which is what a child that never sees a secret
/// (the webview's processes, a file chooser) should have.
pub fn forbid_core_dumps() -> io::Result<CoreDumpGuard> {
    #[cfg(unix)]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )?;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)?;
        Ok(CoreDumpGuard::Forbidden)
    }
    #[cfg(not(unix))]
    {
        Ok(CoreDumpGuard::Unsupported)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn core_limit_is_zero_and_the_process_not_dumpable() {
        assert_eq!(forbid_core_dumps().unwrap(), CoreDumpGuard::Forbidden);
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
        #[cfg(target_os = "linux")]
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
        // A second call (the app locks and unlocks many times) still works:
        // lowering a limit to where it already is is allowed.
        assert_eq!(forbid_core_dumps().unwrap(), CoreDumpGuard::Forbidden);
    }
}
