//! Errors from Xen and from the platform layer.

use core::fmt;

/// A failed hypercall: the negative errno Xen returned, with its name where we know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum XenError {
    /// EPERM: operation not permitted.
    NotPermitted = 1,
    /// ENOENT: no such entry.
    NoEntry = 2,
    /// ESRCH: no such domain or process.
    NoSuchDomain = 3,
    /// EINTR: interrupted.
    Interrupted = 4,
    /// EIO.
    Io = 5,
    /// EAGAIN: try again.
    TryAgain = 11,
    /// ENOMEM.
    NoMemory = 12,
    /// EACCES.
    Access = 13,
    /// EFAULT: bad address handed to Xen.
    Fault = 14,
    /// EBUSY.
    Busy = 16,
    /// EEXIST.
    Exists = 17,
    /// EINVAL: invalid argument.
    Invalid = 22,
    /// ENOSPC.
    NoSpace = 28,
    /// ENOSYS: hypercall not implemented.
    NotImplemented = 38,
    /// Any other errno.
    Other = i32::MAX,
}

impl XenError {
    /// Converts a hypercall's return value (negative errno on failure) into a result.
    pub fn check(ret: i64) -> Result<u64, XenError> {
        if ret >= 0 {
            Ok(ret as u64)
        } else {
            Err(Self::from_errno((-ret) as i32))
        }
    }

    /// The error for a positive errno value.
    pub fn from_errno(errno: i32) -> Self {
        match errno {
            1 => Self::NotPermitted,
            2 => Self::NoEntry,
            3 => Self::NoSuchDomain,
            4 => Self::Interrupted,
            5 => Self::Io,
            11 => Self::TryAgain,
            12 => Self::NoMemory,
            13 => Self::Access,
            14 => Self::Fault,
            16 => Self::Busy,
            17 => Self::Exists,
            22 => Self::Invalid,
            28 => Self::NoSpace,
            38 => Self::NotImplemented,
            _ => Self::Other,
        }
    }
}

impl fmt::Display for XenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::NotPermitted => "EPERM",
            Self::NoEntry => "ENOENT",
            Self::NoSuchDomain => "ESRCH",
            Self::Interrupted => "EINTR",
            Self::Io => "EIO",
            Self::TryAgain => "EAGAIN",
            Self::NoMemory => "ENOMEM",
            Self::Access => "EACCES",
            Self::Fault => "EFAULT",
            Self::Busy => "EBUSY",
            Self::Exists => "EEXIST",
            Self::Invalid => "EINVAL",
            Self::NoSpace => "ENOSPC",
            Self::NotImplemented => "ENOSYS",
            Self::Other => "unknown errno",
        };
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypercall_results() {
        assert_eq!(XenError::check(0), Ok(0));
        assert_eq!(XenError::check(7), Ok(7));
        assert_eq!(XenError::check(-22), Err(XenError::Invalid));
        assert_eq!(XenError::check(-38), Err(XenError::NotImplemented));
        assert_eq!(XenError::check(-99), Err(XenError::Other));
        assert_eq!(XenError::Invalid.to_string(), "EINVAL");
    }
}
