//! zlib streams (`zlib:open/0` and the deflate/inflate calls on them): the node's table of
//! them and the codecs, over miniz_oxide.
//!
//! A stream belongs to the process that opened it; every call from another process is refused
//! (erl's `not_on_controlling_process`), so a stream's reference, even a forged one, gives no
//! other process its state. Streams live outside every heap and are freed when closed or when
//! their owner exits ([`Streams::owner_exited`]). The codec state of an initialised stream is
//! charged to the node's memory account while it exists.
//!
//! Behaviour follows erl 25's zlib NIF: a stream is idle, deflating, inflating or closed;
//! input not yet consumed stays queued in the stream, and an inflate step takes at most
//! 8 KiB of it (so `safeInflate` and `inflateChunk` chunk as erl's do); an inflate that
//! reached the end of its stream drops the input after it (erl's default `cut`);
//! `inflateEnd` reports `data_error` when the stream did not end; the gzip wrapper (window
//! bits 16+) and automatic detection (32+) are done here around a raw deflate stream, as
//! miniz has neither.
//!
//! Preset dictionaries (`deflateSetDictionary`, `inflateSetDictionary`), which miniz has
//! not: the compressor is given the dictionary's last 32 KiB as input up to a sync flush
//! whose output is dropped, so the data's blocks start on a byte boundary and may refer back
//! into it (the zlib wrapper, with the dictionary's id, is then written here); the
//! decompressor is given it as a stored block whose output is dropped, before the data.
//! Either is allowed where zlib allows it, but for raw streams only before their first data
//! (zlib also takes one later). `inflateGetDictionary` gives zlib's window: the last 32 KiB
//! of dictionaries and output, without the output of the step that checked a zlib or gzip
//! trailer (zlib's quirk).
//!
//! `deflateParams` is erl's: a sync flush with the old parameters, whose output the stream
//! keeps and gives back before the next `deflate`'s (erl's "stash"); then the compressor
//! takes the new level, or, since miniz sets other strategies than the default only at a
//! compressor's start, a new compressor continues the stream from that byte boundary (its
//! matches start afresh, not reaching into the 32 KiB before) and the zlib trailer is
//! written here.
//! `set_controlling_process` hands a stream to another process; one handed to a process
//! that is not alive is freed at once (erl keeps it, usable by no one).
//!
//! Invariants: a closed stream keeps no codec state; a closed stream's id is remembered (a
//! bounded number of them) only so that later calls get erl's errors instead of `badarg`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::mem::ManuallyDrop;

use miniz_oxide::deflate::core::deflate_flags::TDEFL_WRITE_ZLIB_HEADER;
use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
use miniz_oxide::inflate::stream::InflateState;
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::bifs::checksum::{adler32_update, crc32_update};
use super::memory::{NodeMemory, TempCharge};

/// How a stream call failed; each is the exception erl raises (the atom named in the doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ZError {
    /// `badarg`: not a stream, or a bad argument.
    Badarg = 1,
    /// `not_on_controlling_process`: the stream belongs to another process.
    NotOwner = 2,
    /// `not_initialized`: the stream is not deflating or inflating as the call needs.
    NotInitialized = 3,
    /// `already_initialized`: the stream is not idle.
    AlreadyInitialized = 4,
    /// `data_error`: bad compressed data, or a stream ended before its end.
    Data = 5,
    /// `stream_error`: parameters zlib refuses.
    Stream = 6,
    /// `system_limit`: the output would pass the memory the node has left.
    SystemLimit = 7,
    /// `mem_error`: the node's memory cannot hold the codec's state.
    Memory = 8,
    /// `bad_windowbits`.
    BadWindowBits = 9,
    /// `bad_compression_level`.
    BadLevel = 10,
    /// `bad_compression_method`.
    BadMethod = 11,
    /// `bad_memlevel`.
    BadMemLevel = 12,
    /// `bad_compression_strategy`.
    BadStrategy = 13,
}

impl ZError {
    /// The reason erl raises.
    pub fn reason(self) -> &'static str {
        match self {
            ZError::Badarg => "badarg",
            ZError::NotOwner => "not_on_controlling_process",
            ZError::NotInitialized => "not_initialized",
            ZError::AlreadyInitialized => "already_initialized",
            ZError::Data => "data_error",
            ZError::Stream => "stream_error",
            ZError::SystemLimit => "system_limit",
            ZError::Memory => "mem_error",
            ZError::BadWindowBits => "bad_windowbits",
            ZError::BadLevel => "bad_compression_level",
            ZError::BadMethod => "bad_compression_method",
            ZError::BadMemLevel => "bad_memlevel",
            ZError::BadStrategy => "bad_compression_strategy",
        }
    }
}

/// erl's output chunk for inflate (`safeInflate` returns at most this much per call).
pub const INFLATE_CHUNK: usize = 16384;

/// erl's input chunk for inflate: one step takes at most this much of the queued input (a
/// step may end with room left in its output, and more input queued: `continue`).
const INFLATE_IN_CHUNK: usize = 8192;

/// erl's default buffer size (`getBufSize/1`), `inflateChunk`'s output chunk.
const BUF_SIZE: u32 = 4000;

/// Closed streams remembered for erl's errors; older ones are forgotten (then `badarg`), so
/// a loop of open and close cannot grow the table.
const CLOSED_KEPT: usize = 64;

/// What miniz's compressor holds outside `size_of::<CompressorOxide>()`: its hash chains and
/// dictionary (about 196 KiB) and Huffman tables (about 4 KiB), charged as an estimate.
const DEFLATE_BOXED_BYTES: usize = 200 * 1024;

/// The gzip header the deflater writes: magic, deflate, no flags, no time, unix (as erl's).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];

/// zlib's largest window: the part of a preset dictionary that counts, and the most
/// `inflateGetDictionary` gives.
const WINDOW: usize = 32768;

/// A flush mode of `deflate/3` (`none`, `sync`, `full`, `finish`: miniz's are zlib's).
pub use miniz_oxide::MZFlush as Flush;

/// What an inflate step ended with.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Output stopped at the chunk size, or input is left: call again.
    Continue,
    /// All queued input is consumed.
    Finished,
    /// A zlib stream asks for a preset dictionary (`inflateSetDictionary`) with this
    /// Adler-32.
    NeedDictionary(u32),
}

/// The node's zlib streams, by reference number. A list: a node has few streams, and a
/// search through them costs less code than a map's (the image's size is a budget).
#[derive(Default)]
pub struct Streams {
    /// Dropped by [`Streams::drop`] only: see there.
    open: ManuallyDrop<Vec<(u64, Stream)>>,
    /// Recently closed streams: id, owner and buffer size (erl's calls still see them).
    closed: Vec<(u64, u32, u32)>,
}

impl Drop for Streams {
    /// The streams' drop code, once: left to the compiler, it is inlined wherever the VM is
    /// dropped (the image's size is a budget). The empty list left behind owns nothing.
    #[inline(never)]
    fn drop(&mut self) {
        drop(core::mem::take(&mut *self.open));
    }
}

impl core::fmt::Debug for Streams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Streams({} open)", self.open.len())
    }
}

/// One stream.
pub struct Stream {
    owner: u32,
    /// `setBufSize/2`'s size: `inflateChunk`'s output chunk.
    pub buf_size: u32,
    state: State,
    /// Input queued and not yet consumed.
    queue: Vec<u8>,
    /// The entry's own memory, charged until it is dropped.
    _entry: Option<TempCharge>,
}

enum State {
    Idle,
    Deflate(Box<Deflater>),
    Inflate(Box<Inflater>),
}

impl Streams {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens a stream `id` owned by `owner`, its entry charged to `memory` (`mem_error`
    /// when the node's memory cannot hold it, so that streams opened and never closed are
    /// bounded by the budget).
    pub fn open(&mut self, id: u64, owner: u32, memory: Option<&NodeMemory>) -> Result<(), ZError> {
        let entry = charge(memory, core::mem::size_of::<(u64, Stream)>() * 2)?;
        self.open.try_reserve(1).map_err(|_| ZError::Memory)?;
        self.open.push((
            id,
            Stream {
                owner,
                buf_size: BUF_SIZE,
                state: State::Idle,
                queue: Vec::new(),
                _entry: entry,
            },
        ));
        Ok(())
    }

    /// The stream `id` for a call by `caller`: `Ok(None)` when it was closed.
    pub fn get(&mut self, id: u64, caller: u32) -> Result<Option<&mut Stream>, ZError> {
        match self.open.iter_mut().find(|(i, _)| *i == id) {
            Some((_, s)) if s.owner == caller => Ok(Some(s)),
            Some(_) => Err(ZError::NotOwner),
            None => match self.closed.iter().find(|(c, ..)| *c == id) {
                Some((_, owner, _)) if *owner == caller => Ok(None),
                Some(_) => Err(ZError::NotOwner),
                None => Err(ZError::Badarg),
            },
        }
    }

    /// The open stream `id` for a call by `caller` (a closed one is `closed_error`).
    pub fn live(
        &mut self,
        id: u64,
        caller: u32,
        closed_error: ZError,
    ) -> Result<&mut Stream, ZError> {
        self.get(id, caller)?.ok_or(closed_error)
    }

    /// `close/1`: frees the stream's state.
    pub fn close(&mut self, id: u64, caller: u32) -> Result<(), ZError> {
        let buf_size = self.live(id, caller, ZError::NotInitialized)?.buf_size;
        self.remove(&|i, _| i == id);
        remember_closed(&mut self.closed, id, caller, buf_size);
        Ok(())
    }

    /// `set_controlling_process/2`: `caller` hands the stream `id`, open or closed, to
    /// `to`. A stream handed to a process that is not `alive` is freed (no exit would free
    /// it), and stays known as `to`'s, so every call on it is refused as in erl.
    pub fn set_owner(&mut self, id: u64, caller: u32, to: u32, alive: bool) -> Result<(), ZError> {
        if let Some(s) = self.get(id, caller)? {
            if alive {
                s.owner = to;
                return Ok(());
            }
            let buf_size = s.buf_size;
            self.remove(&|i, _| i == id);
            remember_closed(&mut self.closed, id, to, buf_size);
        } else if let Some(c) = self.closed.iter_mut().find(|(c, ..)| *c == id) {
            c.1 = to;
        }
        Ok(())
    }

    /// `getBufSize/1` and, with `set`, `setBufSize/2`, on an open or a closed stream (erl
    /// keeps the size of a closed one): the size before.
    pub fn buf_size(&mut self, id: u64, caller: u32, set: Option<u32>) -> Result<u32, ZError> {
        let size = match self.get(id, caller)? {
            Some(s) => &mut s.buf_size,
            None => match self.closed.iter_mut().find(|(c, ..)| *c == id) {
                Some(c) => &mut c.2,
                None => return Err(ZError::Badarg),
            },
        };
        let was = *size;
        *size = set.unwrap_or(was);
        Ok(was)
    }

    /// Frees every stream `pid` owned (it exited). They stay known as its closed streams,
    /// so that another process's calls on them are refused as in erl, where the stream
    /// lives on with its dead owner.
    pub fn owner_exited(&mut self, pid: u32) {
        let Streams { open, closed } = self;
        for (id, s) in open.iter().filter(|(_, s)| s.owner == pid) {
            remember_closed(closed, *id, pid, s.buf_size);
        }
        self.remove(&|_, s| s.owner == pid);
    }

    /// Frees the streams `which` picks: one function with the streams' drop code, for
    /// `close` and owner exits alike (the image's size is a budget).
    #[inline(never)]
    fn remove(&mut self, which: &dyn Fn(u64, &Stream) -> bool) {
        self.open.retain(|(i, s)| !which(*i, s));
    }

    /// Open streams (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether no stream is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

/// Notes a stream closed (the oldest note is forgotten past [`CLOSED_KEPT`]).
fn remember_closed(closed: &mut Vec<(u64, u32, u32)>, id: u64, owner: u32, buf_size: u32) {
    if closed.len() == CLOSED_KEPT {
        closed.remove(0);
    }
    closed.push((id, owner, buf_size));
}

/// Charges `bytes` of codec state, or `mem_error`.
fn charge(memory: Option<&NodeMemory>, bytes: usize) -> Result<Option<TempCharge>, ZError> {
    match memory {
        Some(m) => m
            .try_charge_temporary(bytes)
            .map(Some)
            .map_err(|_| ZError::Memory),
        None => Ok(None),
    }
}

impl Stream {
    /// A stream outside the table, for the one-shot functions (`zlib:compress/1`...).
    pub fn detached() -> Stream {
        Stream {
            owner: 0,
            buf_size: BUF_SIZE,
            state: State::Idle,
            queue: Vec::new(),
            _entry: None,
        }
    }

    /// Inflates all of `data` with what was queued before (`inflate/2`, the one-shots): at
    /// most `limit` bytes of output, and the Adler-32 of a preset dictionary the stream asks
    /// for, if it does. With `members`, data after the end of the stream is the next stream
    /// (gzip members, erl's `reset`), else it is dropped.
    pub fn inflate_all(
        &mut self,
        data: &[u8],
        members: bool,
        limit: usize,
    ) -> Result<(Vec<u8>, Option<u32>), ZError> {
        self.enqueue(data)?;
        if let State::Inflate(i) = &mut self.state {
            i.members = members;
        }
        let mut all = Vec::new();
        loop {
            let (out, step) = self.inflate_step(INFLATE_CHUNK)?;
            if all.len() + out.len() > limit || all.try_reserve(out.len()).is_err() {
                return Err(ZError::SystemLimit);
            }
            all.extend_from_slice(&out);
            match step {
                Step::Continue => {}
                Step::Finished => return Ok((all, None)),
                Step::NeedDictionary(id) => return Ok((all, Some(id))),
            }
        }
    }

    /// `deflateInit/6` with erl's numbers (level -1 for default); `memory` is charged for
    /// the compressor. Window bits 8 are taken as 9, as zlib does; miniz always uses a
    /// 32 KiB window, which any inflater configured for a smaller one reads only if the
    /// data has no longer distances.
    pub fn deflate_init(
        &mut self,
        level: i32,
        window_bits: i32,
        strategy: i32,
        memory: Option<&NodeMemory>,
    ) -> Result<(), ZError> {
        if !matches!(self.state, State::Idle) {
            return Err(ZError::AlreadyInitialized);
        }
        let format = match window_bits {
            8..=15 => Format::Zlib,
            25..=31 => Format::Gzip,
            -15..=-9 => Format::Raw,
            _ => return Err(ZError::Stream),
        };
        let bytes = core::mem::size_of::<Deflater>() + DEFLATE_BOXED_BYTES;
        let charge = charge(memory, bytes)?;
        let wbits = if format == Format::Zlib { 15 } else { -15 };
        let level = if level < 0 { 6 } else { level };
        let flags = create_comp_flags_from_zip_params(level, wbits, strategy);
        let d = Deflater {
            comp: CompressorOxide::new(flags),
            format,
            crc: 0,
            size: 0,
            adler: 1,
            dict_id: None,
            started: false,
            finished: false,
            leftover: false,
            stash: Vec::new(),
            _stash_charge: None,
            _charge: charge,
        };
        self.state = State::Deflate(Box::new(d));
        Ok(())
    }

    fn deflater(&mut self) -> Result<&mut Deflater, ZError> {
        match &mut self.state {
            State::Deflate(d) => Ok(d),
            _ => Err(ZError::NotInitialized),
        }
    }

    fn inflater(&mut self) -> Result<&mut Inflater, ZError> {
        match &mut self.state {
            State::Inflate(i) => Ok(i),
            _ => Err(ZError::NotInitialized),
        }
    }

    /// `deflate/3`: the compressed bytes for `data`, at most `limit` of them. An inflating
    /// stream queues the data as input, as erl's does, and refuses.
    pub fn deflate(&mut self, data: &[u8], flush: Flush, limit: usize) -> Result<Vec<u8>, ZError> {
        if let State::Inflate(..) = self.state {
            self.enqueue(data)?;
        }
        self.deflater()?.deflate(data, flush, limit)
    }

    /// `deflateReset/1`.
    pub fn deflate_reset(&mut self) -> Result<(), ZError> {
        let d = self.deflater()?;
        // A new compressor with the same flags: miniz's reset would be more code. A zlib
        // stream with a dictionary had miniz's own wrapper turned off.
        let mut flags = d.comp.flags() as u32;
        if d.format == Format::Zlib {
            flags |= TDEFL_WRITE_ZLIB_HEADER;
        }
        d.comp = CompressorOxide::new(flags);
        (d.crc, d.size, d.started, d.finished, d.leftover) = (0, 0, false, false, false);
        (d.adler, d.dict_id) = (1, None);
        (d.stash, d._stash_charge) = (Vec::new(), None);
        Ok(())
    }

    /// `deflateParams/3` with erl's numbers (level -1 for default): a sync flush with the
    /// old parameters, whose output (at most `limit` bytes, charged to `memory`) comes
    /// before the next `deflate`'s, then a compressor with the new ones (see the module's
    /// notes).
    pub fn deflate_params(
        &mut self,
        level: i32,
        strategy: i32,
        limit: usize,
        memory: Option<&NodeMemory>,
    ) -> Result<(), ZError> {
        let flushed = self.deflate(&[], Flush::Sync, limit)?;
        let d = self.deflater()?;
        d._stash_charge = charge(memory, flushed.len())?;
        d.stash = flushed;
        let level = if level < 0 { 6 } else { level };
        if strategy == 0 {
            // miniz changes the level of a running compressor, which keeps its history.
            d.comp.set_compression_level_raw(level as u8);
        } else {
            let flags = create_comp_flags_from_zip_params(level, -15, strategy);
            d.comp = CompressorOxide::new(flags);
        }
        Ok(())
    }

    /// `deflateSetDictionary/2`: the Adler-32 erl returns (of the dictionary, from 1 for
    /// zlib streams and from 0 for raw ones).
    pub fn deflate_set_dictionary(&mut self, dict: &[u8]) -> Result<u32, ZError> {
        self.deflater()?.set_dictionary(dict)
    }

    /// `inflateSetDictionary/2`: `data_error` when it is not the one the stream asks for.
    pub fn inflate_set_dictionary(&mut self, dict: &[u8]) -> Result<(), ZError> {
        self.inflater()?.set_dictionary(dict)
    }

    /// `inflateGetDictionary/1`: the last 32 KiB of dictionaries and output.
    pub fn inflate_get_dictionary(&mut self) -> Result<Vec<u8>, ZError> {
        let w = &self.inflater()?.window;
        Ok(w[w.len().saturating_sub(WINDOW)..].to_vec())
    }

    /// `deflateEnd/1`: the stream is idle again; `data_error` if it had begun and not
    /// finished (as zlib's), or input is left.
    pub fn deflate_end(&mut self) -> Result<(), ZError> {
        let d = self.deflater()?;
        let unfinished = d.leftover || (d.started && !d.finished);
        self.state = State::Idle;
        if unfinished {
            Err(ZError::Data)
        } else {
            Ok(())
        }
    }

    /// `inflateInit/2` with erl's window bits (8..15 zlib, -8..-15 raw, 24..31 gzip, 40..47
    /// either); `memory` is charged for the decompressor.
    pub fn inflate_init(
        &mut self,
        window_bits: i32,
        memory: Option<&NodeMemory>,
    ) -> Result<(), ZError> {
        if !matches!(self.state, State::Idle) {
            return Err(ZError::AlreadyInitialized);
        }
        let format = match window_bits {
            -15..=-8 => Format::Raw,
            8..=15 | 0 => Format::Zlib,
            16..=31 => Format::Gzip,
            _ => Format::Auto,
        };
        // The window is kept at most twice zlib's.
        let bytes =
            core::mem::size_of::<Inflater>() + core::mem::size_of::<InflateState>() + 2 * WINDOW;
        let charge = charge(memory, bytes)?;
        let i = Inflater {
            st: InflateState::new_boxed(DataFormat::Raw),
            format,
            phase: Phase::Header,
            crc: 0,
            size: 0,
            members: false,
            dict: None,
            zlib_dict: false,
            window: Vec::new(),
            _charge: charge,
        };
        self.state = State::Inflate(Box::new(i));
        self.inflate_reset()
    }

    /// `inflateReset/1`.
    pub fn inflate_reset(&mut self) -> Result<(), ZError> {
        self.queue.clear();
        self.inflater()?.restart();
        Ok(())
    }

    /// `inflateEnd/1`: the stream is idle again; `data_error` if its data did not end.
    pub fn inflate_end(&mut self) -> Result<(), ZError> {
        let done = self.inflater()?.phase == Phase::Done && self.queue.is_empty();
        self.queue.clear();
        self.state = State::Idle;
        if done {
            Ok(())
        } else {
            Err(ZError::Data)
        }
    }

    /// Queues input for inflating (`inflate/2`, `safeInflate/2`). A deflating stream takes
    /// it too in erl, and fails only in the inflate after, with the input left queued.
    pub fn enqueue(&mut self, data: &[u8]) -> Result<(), ZError> {
        if let State::Deflate(d) = &mut self.state {
            d.leftover |= !data.is_empty();
            return Err(ZError::NotInitialized);
        }
        self.inflater()?;
        self.queue
            .try_reserve(data.len())
            .map_err(|_| ZError::SystemLimit)?;
        self.queue.extend_from_slice(data);
        Ok(())
    }

    /// One step of inflating the queued input: at most `chunk` bytes of output (erl's
    /// `inflate_nif` with its output chunk size).
    pub fn inflate_step(&mut self, chunk: usize) -> Result<(Vec<u8>, Step), ZError> {
        let Stream { state, queue, .. } = self;
        let State::Inflate(i) = state else {
            return Err(ZError::NotInitialized);
        };
        i.step(queue, chunk)
    }

    /// `crc32/1`: the CRC-32 of the uncompressed data so far, which erl keeps for raw
    /// streams only (0 otherwise).
    pub fn crc32(&self) -> Result<u32, ZError> {
        match &self.state {
            State::Deflate(d) if d.format == Format::Raw => Ok(d.crc),
            State::Inflate(i) if i.format == Format::Raw => Ok(i.crc),
            State::Deflate(..) | State::Inflate(..) => Ok(0),
            State::Idle => Err(ZError::NotInitialized),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Zlib,
    Raw,
    Gzip,
    /// gzip or zlib, whichever the header is.
    Auto,
}

struct Deflater {
    comp: CompressorOxide,
    format: Format,
    /// CRC-32 and size of the input (the gzip trailer; `crc32/1` of raw streams).
    crc: u32,
    size: u32,
    /// Adler-32 of the input (zlib streams).
    adler: u32,
    /// A zlib stream's preset dictionary id: the wrapper is written here, not by miniz.
    dict_id: Option<u32>,
    /// Whether the compressor has been called since the start (zlib's busy state).
    started: bool,
    finished: bool,
    /// Input refused after the stream finished stays queued in erl's stream.
    leftover: bool,
    /// `deflateParams`' flushed output, given before the next `deflate`'s.
    stash: Vec<u8>,
    /// The stash's memory, charged until it is given.
    _stash_charge: Option<TempCharge>,
    /// The compressor's memory, charged until it is dropped.
    _charge: Option<TempCharge>,
}

impl Deflater {
    fn deflate(&mut self, data: &[u8], flush: Flush, limit: usize) -> Result<Vec<u8>, ZError> {
        let mut out = core::mem::take(&mut self.stash);
        self._stash_charge = None;
        if self.finished {
            // zlib refuses anything but an empty finish after the end (erl keeps the
            // refused input queued, so the stream cannot end cleanly any more).
            return if !data.is_empty() || self.leftover {
                self.leftover = true;
                Err(ZError::Stream)
            } else {
                match flush {
                    Flush::None | Flush::Finish => Ok(out),
                    _ => Err(ZError::Stream),
                }
            };
        }
        if data.is_empty() && flush == Flush::None {
            // erl does not call zlib with nothing to do.
            return Ok(out);
        }
        if self.format == Format::Gzip && !self.started {
            out.extend_from_slice(&GZIP_HEADER);
        }
        if let (Some(id), false) = (self.dict_id, self.started) {
            // CMF: deflate, 32 KiB window; FLG: default level, FDICT, the check bits.
            out.extend_from_slice(&[0x78, 0xbb]);
            out.extend_from_slice(&id.to_be_bytes());
        }
        self.started = true;
        if matches!(self.format, Format::Gzip | Format::Raw) {
            self.crc = crc32_update(self.crc, data);
            self.size = self.size.wrapping_add(data.len() as u32);
        } else {
            self.adler = adler32_update(self.adler, data);
        }
        let mz = flush;
        let mut input = data;
        loop {
            let room = (out.len() / 2).clamp(4096, 1 << 20);
            let at = out.len();
            grow(&mut out, room, limit)?;
            let r =
                miniz_oxide::deflate::stream::deflate(&mut self.comp, input, &mut out[at..], mz);
            out.truncate(at + r.bytes_written);
            input = &input[r.bytes_consumed..];
            match r.status {
                Ok(MZStatus::StreamEnd) => {
                    self.finished = true;
                    if self.format == Format::Gzip {
                        grow(&mut out, 8, limit)?;
                        out.truncate(out.len() - 8);
                        out.extend_from_slice(&self.crc.to_le_bytes());
                        out.extend_from_slice(&self.size.to_le_bytes());
                    } else if self.format == Format::Zlib
                        && self.comp.data_format() == DataFormat::Raw
                    {
                        // A dictionary or deflateParams turned miniz's wrapper off.
                        grow(&mut out, 4, limit)?;
                        out.truncate(out.len() - 4);
                        out.extend_from_slice(&self.adler.to_be_bytes());
                    }
                    return Ok(out);
                }
                // Room left over means the compressor has said all it had.
                Ok(_) if input.is_empty() && r.bytes_written < room && mz != MZFlush::Finish => {
                    return Ok(out)
                }
                Ok(_) => {}
                Err(MZError::Buf) if input.is_empty() && mz != MZFlush::Finish => return Ok(out),
                Err(_) => return Err(ZError::Stream),
            }
        }
    }
}

impl Deflater {
    /// Primes the compressor with `dict` (see the module's notes); zlib's rules for when.
    fn set_dictionary(&mut self, dict: &[u8]) -> Result<u32, ZError> {
        match self.format {
            // After its end, zlib takes it and changes nothing.
            Format::Zlib if self.finished => return Ok(self.adler),
            Format::Raw if self.finished => return Ok(adler32_update(0, dict)),
            Format::Zlib | Format::Raw if !self.started => {}
            _ => return Err(ZError::Stream),
        }
        let flags = self.comp.flags() as u32 & !TDEFL_WRITE_ZLIB_HEADER;
        self.comp = CompressorOxide::new(flags);
        let mut input = &dict[dict.len().saturating_sub(WINDOW)..];
        let mut sink = [0u8; 1024];
        loop {
            let r = miniz_oxide::deflate::stream::deflate(
                &mut self.comp,
                input,
                &mut sink,
                MZFlush::Sync,
            );
            input = &input[r.bytes_consumed..];
            match r.status {
                Ok(_) if input.is_empty() && r.bytes_written < sink.len() => break,
                Ok(_) => {}
                Err(MZError::Buf) if input.is_empty() => break,
                Err(_) => return Err(ZError::Stream),
            }
        }
        if self.format == Format::Raw {
            return Ok(adler32_update(0, dict));
        }
        // zlib's id of a second dictionary continues the first's.
        let id = adler32_update(self.dict_id.unwrap_or(1), dict);
        self.dict_id = Some(id);
        Ok(id)
    }
}

/// Appends `n` zero bytes to `out`, unless it would hold more than `limit`.
fn grow(out: &mut Vec<u8>, n: usize, limit: usize) -> Result<(), ZError> {
    let want = out.len().saturating_add(n);
    if want > limit || out.try_reserve(n).is_err() {
        return Err(ZError::SystemLimit);
    }
    out.resize(want, 0);
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Before the data: the wrapper's header is read here (zlib's by miniz itself).
    Header,
    Body,
    /// After a gzip member's data: its CRC-32 and size.
    Trailer,
    Done,
    Failed,
    /// A zlib header asked for this preset dictionary; it goes on once one is set.
    Dictionary(u32),
}

struct Inflater {
    st: Box<InflateState>,
    format: Format,
    phase: Phase,
    /// CRC-32 and size of the output (the gzip trailer; `crc32/1` of raw streams).
    crc: u32,
    size: u32,
    /// Whether input after the end starts another stream (gzip members).
    members: bool,
    /// Preset dictionaries set and not yet given to the decompressor.
    dict: Option<Vec<u8>>,
    /// A zlib stream with a dictionary: miniz inflates its body raw, and its Adler-32
    /// trailer is checked here (`crc` holds the output's).
    zlib_dict: bool,
    /// Dictionaries and output, the last [`WINDOW`] bytes at least (`inflateGetDictionary`).
    window: Vec<u8>,
    /// The decompressor's memory, charged until it is dropped.
    _charge: Option<TempCharge>,
}

/// A gzip member header at the start of `m`: its length, `Ok(None)` when `m` ends inside it,
/// `Err` when `m` is not one.
pub(crate) fn gzip_header(m: &[u8]) -> Result<Option<usize>, NotGzip> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    let fixed = [0x1f, 0x8b, 8];
    if m.iter().zip(fixed).any(|(a, b)| *a != b) || m.get(3).is_some_and(|f| f & 0xe0 != 0) {
        return Err(NotGzip);
    }
    if m.len() < 10 {
        return Ok(None);
    }
    let flags = m[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let (Some(&a), Some(&b)) = (m.get(at), m.get(at + 1)) else {
            return Ok(None);
        };
        at += 2 + u16::from_le_bytes([a, b]) as usize;
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field != 0 {
            match m.get(at..).and_then(|r| r.iter().position(|&b| b == 0)) {
                Some(n) => at += n + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    Ok((at <= m.len()).then_some(at))
}

impl Inflater {
    /// Back to the start of a stream.
    fn restart(&mut self) {
        self.st.reset(DataFormat::Raw);
        (self.phase, self.crc, self.size) = (Phase::Header, 0, 0);
        (self.dict, self.zlib_dict) = (None, false);
        self.window.clear();
    }

    /// `inflateSetDictionary`: where zlib takes one (when a zlib header asked for it, and
    /// it is that one; a raw stream before its data), it is kept for [`Inflater::prime`].
    fn set_dictionary(&mut self, dict: &[u8]) -> Result<(), ZError> {
        match self.phase {
            Phase::Dictionary(id) if adler32_update(1, dict) != id => return Err(ZError::Data),
            Phase::Dictionary(_) => {}
            Phase::Header if self.format == Format::Raw => {}
            _ => return Err(ZError::Stream),
        }
        let d = self.dict.get_or_insert_with(Vec::new);
        d.try_reserve(dict.len()).map_err(|_| ZError::SystemLimit)?;
        d.extend_from_slice(dict);
        self.remember(dict)
    }

    /// Gives the decompressor the dictionaries set: the last [`WINDOW`] bytes as a stored
    /// block (not the last one) whose output is dropped, so the data after it may refer
    /// back into them.
    fn prime(&mut self) -> Result<(), ZError> {
        let dict = self.dict.take().unwrap_or_default();
        let tail = &dict[dict.len().saturating_sub(WINDOW)..];
        let len = tail.len() as u16;
        let mut block = Vec::new();
        let mut sink = Vec::new();
        block
            .try_reserve(tail.len() + 5)
            .and_then(|()| sink.try_reserve(tail.len() + 1))
            .map_err(|_| ZError::SystemLimit)?;
        // BFINAL 0, BTYPE 00 (stored), the rest of the byte padding; LEN, NLEN; the bytes.
        block.push(0);
        block.extend_from_slice(&len.to_le_bytes());
        block.extend_from_slice(&(!len).to_le_bytes());
        block.extend_from_slice(tail);
        sink.resize(tail.len() + 1, 0);
        let r =
            miniz_oxide::inflate::stream::inflate(&mut self.st, &block, &mut sink, MZFlush::None);
        if r.bytes_consumed != block.len() || r.bytes_written != tail.len() {
            return Err(ZError::Data);
        }
        Ok(())
    }

    /// Adds `bytes` to the window, keeping at most twice [`WINDOW`] (so it moves rarely).
    fn remember(&mut self, bytes: &[u8]) -> Result<(), ZError> {
        let w = &mut self.window;
        w.try_reserve(bytes.len())
            .map_err(|_| ZError::SystemLimit)?;
        w.extend_from_slice(bytes);
        if w.len() > 2 * WINDOW {
            w.drain(..w.len() - WINDOW);
        }
        Ok(())
    }

    fn step(&mut self, queue: &mut Vec<u8>, chunk: usize) -> Result<(Vec<u8>, Step), ZError> {
        if self.phase == Phase::Done && !queue.is_empty() {
            if self.members {
                self.restart();
            } else {
                // erl's `cut`: input after the end of the stream is dropped.
                queue.clear();
            }
        }
        let mut out = Vec::new();
        out.try_reserve_exact(chunk)
            .map_err(|_| ZError::SystemLimit)?;
        out.resize(chunk, 0);
        let (mut taken, mut n) = (0, 0);
        let mut dict = None;
        // Whether the input left (if any) is too little to go on with.
        let mut starved = false;
        while n < chunk {
            let input = &queue[taken..];
            match self.phase {
                Phase::Header => match self.header(input) {
                    Header::Read(used) => {
                        taken += used;
                        if self.dict.is_some() {
                            self.prime()?;
                        }
                    }
                    Header::More => {
                        starved = true;
                        break;
                    }
                    Header::Dictionary(id) => {
                        taken += 6;
                        self.phase = Phase::Dictionary(id);
                        dict = Some(id);
                        break;
                    }
                    Header::Bad => {
                        self.phase = Phase::Failed;
                        return Err(ZError::Data);
                    }
                },
                Phase::Body => {
                    let budget = INFLATE_IN_CHUNK.saturating_sub(taken);
                    // Input beyond the step's chunk waits for the next step, as in erl.
                    let cut = input.len() > budget;
                    if cut && budget == 0 {
                        break;
                    }
                    let r = miniz_oxide::inflate::stream::inflate(
                        &mut self.st,
                        &input[..input.len().min(budget)],
                        &mut out[n..],
                        MZFlush::None,
                    );
                    let produced = &out[n..n + r.bytes_written];
                    if matches!(self.format, Format::Gzip | Format::Raw) {
                        self.crc = crc32_update(self.crc, produced);
                        self.size = self.size.wrapping_add(produced.len() as u32);
                    } else if self.zlib_dict {
                        self.crc = adler32_update(self.crc, produced);
                    }
                    taken += r.bytes_consumed;
                    n += r.bytes_written;
                    match r.status {
                        Ok(MZStatus::StreamEnd) => {
                            self.phase = if self.format == Format::Gzip || self.zlib_dict {
                                Phase::Trailer
                            } else {
                                Phase::Done
                            }
                        }
                        Ok(_) if r.bytes_consumed == 0 && r.bytes_written == 0 => {
                            starved = !cut;
                            break;
                        }
                        Ok(_) => {}
                        Err(MZError::Buf) => {
                            starved = !cut;
                            break;
                        }
                        Err(_) => {
                            self.phase = Phase::Failed;
                            return Err(ZError::Data);
                        }
                    }
                }
                Phase::Trailer if self.zlib_dict => {
                    let Some(t) = input.get(..4) else {
                        starved = true;
                        break;
                    };
                    if u32::from_be_bytes([t[0], t[1], t[2], t[3]]) != self.crc {
                        self.phase = Phase::Failed;
                        return Err(ZError::Data);
                    }
                    taken += 4;
                    self.phase = Phase::Done;
                }
                Phase::Trailer => {
                    let Some(t) = input.get(..8) else {
                        starved = true;
                        break;
                    };
                    let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
                    let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
                    if crc != self.crc || size != self.size {
                        self.phase = Phase::Failed;
                        return Err(ZError::Data);
                    }
                    taken += 8;
                    self.phase = Phase::Done;
                }
                Phase::Done => break,
                Phase::Failed => return Err(ZError::Data),
                Phase::Dictionary(_) if self.dict.is_some() => {
                    // miniz inflates the body raw; the wrapper's trailer is checked here.
                    self.prime()?;
                    (self.zlib_dict, self.crc, self.phase) = (true, 1, Phase::Body);
                }
                // zlib makes no progress there: erl calls input it cannot take bad data.
                Phase::Dictionary(_) if !input.is_empty() => return Err(ZError::Data),
                Phase::Dictionary(id) => {
                    dict = Some(id);
                    break;
                }
            }
            if self.phase == Phase::Done {
                break;
            }
        }
        out.truncate(n);
        queue.drain(..taken);
        // zlib leaves the output of the call that checked a wrapper's trailer out of its
        // window (erl's inflateGetDictionary shows it).
        if self.phase != Phase::Done || self.format == Format::Raw {
            self.remember(&out)?;
        }
        // erl's order: all input taken with room left is `finished`, even before a
        // dictionary.
        // A partial header waits in the queue, where zlib would have taken it in: it
        // counts as consumed (else a caller looping while `continue` would never stop).
        let step = match dict {
            _ if (queue.is_empty() || starved) && n < chunk => Step::Finished,
            Some(id) => Step::NeedDictionary(id),
            None => Step::Continue,
        };
        Ok((out, step))
    }

    /// Reads the wrapper's header at the start of `input` (zlib's is only checked here and
    /// left to miniz).
    fn header(&mut self, input: &[u8]) -> Header {
        if self.format == Format::Auto {
            match input {
                [0x1f, 0x8b, ..] => self.format = Format::Gzip,
                [_, _, ..] => self.format = Format::Zlib,
                _ => return Header::More,
            }
        }
        let used = match self.format {
            // Not before there is data, so a dictionary can still be set.
            Format::Raw if input.is_empty() => return Header::More,
            Format::Raw => 0,
            Format::Gzip => match gzip_header(input) {
                Ok(Some(n)) => n,
                Ok(None) => return Header::More,
                Err(NotGzip) => return Header::Bad,
            },
            _ => {
                let [cmf, flg, ..] = *input else {
                    return Header::More;
                };
                if cmf & 15 != 8 || cmf >> 4 > 7 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0
                {
                    return Header::Bad;
                }
                if flg & 0x20 != 0 {
                    // miniz has no preset dictionaries: the stream waits for one (see
                    // Inflater::prime).
                    return match input.get(2..6) {
                        Some(id) => {
                            Header::Dictionary(u32::from_be_bytes([id[0], id[1], id[2], id[3]]))
                        }
                        None => Header::More,
                    };
                }
                self.st.reset(DataFormat::Zlib);
                0
            }
        };
        self.phase = Phase::Body;
        Header::Read(used)
    }
}

/// Not a gzip member header.
#[derive(Debug)]
pub(crate) struct NotGzip;

/// What [`Inflater::header`] found.
enum Header {
    /// The header, this many bytes of it to skip.
    Read(usize),
    /// More input is needed.
    More,
    /// Not a header of the format.
    Bad,
    /// A zlib header asking for a preset dictionary, with its Adler-32.
    Dictionary(u32),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is queued, inflated to its end (one stream).
    fn inflate_all(s: &mut Stream) -> Result<Vec<u8>, ZError> {
        s.inflate_all(&[], false, usize::MAX).map(|(out, _)| out)
    }

    fn opened(t: &mut Streams, id: u64, owner: u32) -> &mut Stream {
        t.open(id, owner, None).unwrap();
        t.live(id, owner, ZError::Badarg).unwrap()
    }

    #[test]
    fn owner_exit_frees_its_streams_only() {
        let mut t = Streams::new();
        let m = NodeMemory::unlimited();
        opened(&mut t, 1, 10)
            .deflate_init(-1, 15, 0, Some(&m))
            .unwrap();
        opened(&mut t, 2, 11).inflate_init(15, Some(&m)).unwrap();
        assert!(m.used() > 0);
        let both = m.used();
        t.owner_exited(10);
        assert_eq!(t.len(), 1);
        assert!(m.used() < both);
        assert_eq!(t.get(1, 11).err(), Some(ZError::NotOwner));
        t.owner_exited(11);
        assert!(t.is_empty());
        assert_eq!(m.used(), 0);
    }

    #[test]
    fn another_process_is_refused() {
        let mut t = Streams::new();
        opened(&mut t, 1, 10);
        assert_eq!(t.get(1, 11).err(), Some(ZError::NotOwner));
        assert_eq!(t.close(1, 11), Err(ZError::NotOwner));
        t.close(1, 10).unwrap();
        assert_eq!(t.close(1, 10), Err(ZError::NotInitialized));
        assert_eq!(t.get(1, 11).err(), Some(ZError::NotOwner));
        assert_eq!(t.get(7, 10).err(), Some(ZError::Badarg));
    }

    #[test]
    fn closed_streams_are_remembered_boundedly() {
        let mut t = Streams::new();
        for id in 0..1000 {
            t.open(id, 1, None).unwrap();
            t.close(id, 1).unwrap();
        }
        assert!(t.is_empty() && t.closed.len() == CLOSED_KEPT);
    }

    #[test]
    fn the_memory_account_refuses_a_codec() {
        let mut t = Streams::new();
        let m = NodeMemory::unlimited();
        m.set_budget(1000);
        let s = opened(&mut t, 1, 1);
        assert_eq!(s.deflate_init(-1, 15, 0, Some(&m)), Err(ZError::Memory));
        assert_eq!(s.inflate_init(15, Some(&m)), Err(ZError::Memory));
        m.set_budget(0);
        assert_eq!(t.open(2, 1, Some(&m)), Err(ZError::Memory));
    }

    #[test]
    fn round_trips_in_each_format_in_pieces() {
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| ((i % 251) ^ (i / 7)) as u8)
            .collect();
        for (wb, ib) in [(15, 15), (-15, -15), (31, 31), (31, 47), (15, 47)] {
            let mut t = Streams::new();
            let s = opened(&mut t, 1, 1);
            s.deflate_init(6, wb, 0, None).unwrap();
            let mut z = Vec::new();
            for (k, piece) in data.chunks(30_000).enumerate() {
                let f = if k % 2 == 0 { Flush::Sync } else { Flush::None };
                z.extend(s.deflate(piece, f, usize::MAX).unwrap());
            }
            z.extend(s.deflate(&[], Flush::Finish, usize::MAX).unwrap());
            s.deflate_end().unwrap();
            s.inflate_init(ib, None).unwrap();
            let mut back = Vec::new();
            for piece in z.chunks(777) {
                s.enqueue(piece).unwrap();
                back.extend(inflate_all(s).unwrap());
            }
            assert_eq!(back, data, "window bits {wb} / {ib}");
            s.inflate_end().unwrap();
        }
    }

    #[test]
    fn garbage_and_truncation_are_data_errors() {
        let mut t = Streams::new();
        let s = opened(&mut t, 1, 1);
        s.inflate_init(15, None).unwrap();
        s.enqueue(b"garbage garbage").unwrap();
        assert_eq!(inflate_all(s), Err(ZError::Data));
        assert_eq!(inflate_all(s), Err(ZError::Data));
        assert_eq!(s.inflate_end(), Err(ZError::Data));
        s.inflate_init(31, None).unwrap();
        let z = miniz_oxide::deflate::compress_to_vec(b"hello", 6);
        s.enqueue(&GZIP_HEADER).unwrap();
        s.enqueue(&z).unwrap();
        s.enqueue(&[0; 8]).unwrap();
        assert_eq!(inflate_all(s), Err(ZError::Data));
    }

    #[test]
    fn a_partial_header_waits_for_more_input() {
        let z = miniz_oxide::deflate::compress_to_vec_zlib(b"hello", 6);
        for wb in [15, 31, 47] {
            let mut t = Streams::new();
            let s = opened(&mut t, 1, 1);
            s.inflate_init(wb, None).unwrap();
            let first = if wb == 15 { &z[..1] } else { &GZIP_HEADER[..5] };
            s.enqueue(first).unwrap();
            assert_eq!(
                s.inflate_step(INFLATE_CHUNK).unwrap(),
                (Vec::new(), Step::Finished)
            );
        }
        let mut s = Stream::detached();
        s.inflate_init(31, None).unwrap();
        let mut g = GZIP_HEADER.to_vec();
        g.extend(miniz_oxide::deflate::compress_to_vec(b"a", 6));
        g.extend(crc32_update(0, b"a").to_le_bytes());
        g.extend(1u32.to_le_bytes());
        g.push(0x1f);
        assert_eq!(
            s.inflate_all(&g, true, usize::MAX),
            Ok((b"a".to_vec(), None))
        );
        assert_eq!(s.inflate_end(), Err(ZError::Data));
    }

    #[test]
    fn output_past_the_limit_is_system_limit() {
        let zeros = alloc::vec![0u8; 1 << 20];
        let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 9);
        let mut s = Stream::detached();
        s.inflate_init(15, None).unwrap();
        assert_eq!(
            s.inflate_all(&bomb, false, 100_000),
            Err(ZError::SystemLimit)
        );
        let mut s = Stream::detached();
        s.deflate_init(0, 15, 0, None).unwrap();
        assert_eq!(
            s.deflate(&zeros, Flush::Finish, 1000),
            Err(ZError::SystemLimit)
        );
    }

    #[test]
    fn a_preset_dictionary_is_reported() {
        let mut t = Streams::new();
        let s = opened(&mut t, 1, 1);
        s.inflate_init(15, None).unwrap();
        s.enqueue(&[0x78, 0xbb, 0, 0, 0, 7, 1, 2]).unwrap();
        assert_eq!(s.inflate_step(10).unwrap().1, Step::NeedDictionary(7));
        assert_eq!(s.inflate_step(10), Err(ZError::Data));
    }

    /// A dictionary primes both sides: the compressed data refers back into it (it is
    /// shorter than without), inflating asks for it by its Adler-32, refuses another, and
    /// gives the data back once it has it; the window then holds it.
    #[test]
    fn a_preset_dictionary_round_trips() {
        let dict: Vec<u8> = (0..40_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let data: Vec<u8> = dict[20_000..30_000].repeat(3);
        let deflated = |dict: Option<&[u8]>| {
            let mut s = Stream::detached();
            s.deflate_init(6, 15, 0, None).unwrap();
            let id = dict.map(|d| s.deflate_set_dictionary(d).unwrap());
            (id, s.deflate(&data, Flush::Finish, usize::MAX).unwrap())
        };
        let (id, z) = deflated(Some(&dict));
        assert_eq!(id, Some(adler32_update(1, &dict)));
        assert!(z.len() < deflated(None).1.len());
        let mut s = Stream::detached();
        s.inflate_init(15, None).unwrap();
        assert_eq!(s.inflate_all(&z, false, usize::MAX), Ok((Vec::new(), id)));
        assert_eq!(s.inflate_set_dictionary(b"other"), Err(ZError::Data));
        s.inflate_set_dictionary(&dict).unwrap();
        let window = s.inflate_get_dictionary().unwrap();
        assert_eq!(window, &dict[dict.len() - WINDOW..]);
        assert_eq!(s.inflate_all(&[], false, usize::MAX), Ok((data, None)));
        s.inflate_end().unwrap();
    }

    /// deflateParams between pieces, in each format and through every level and strategy:
    /// the data comes back whole, the flush before each change is inflatable at once, and
    /// the stash is charged until the next deflate gives it.
    #[test]
    fn params_change_mid_stream_and_round_trip() {
        let data: Vec<u8> = (0..120_000u32)
            .map(|i| ((i % 253) ^ (i / 11) ^ (i.wrapping_mul(i) >> 7)) as u8)
            .collect();
        let m = NodeMemory::unlimited();
        for (wb, ib) in [(15, 15), (-15, -15), (31, 31), (31, 47)] {
            let mut s = Stream::detached();
            s.deflate_init(6, wb, 0, Some(&m)).unwrap();
            let codec = m.used();
            let mut z = Vec::new();
            for (k, piece) in data.chunks(9_000).enumerate() {
                let (level, strategy) = ((k % 11) as i32 - 1, (k % 4) as i32);
                s.deflate_params(level, strategy, usize::MAX, Some(&m))
                    .unwrap();
                assert!(k == 0 || m.used() > codec, "the stash is charged");
                z.extend(s.deflate(piece, Flush::None, usize::MAX).unwrap());
                assert_eq!(m.used(), codec);
            }
            z.extend(s.deflate(&[], Flush::Finish, usize::MAX).unwrap());
            s.deflate_end().unwrap();
            s.inflate_init(ib, None).unwrap();
            let back = s.inflate_all(&z, false, usize::MAX).unwrap().0;
            assert!(back == data, "window bits {wb} / {ib}");
            s.inflate_end().unwrap();
        }
        // A new level keeps the history: data repeated across the change refers back to
        // its first copy (a new strategy starts afresh: the copy is compressed again).
        let piece: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for (wb, strategy, short) in [(15, 0, true), (-15, 0, true), (15, 1, false)] {
            let mut s = Stream::detached();
            s.deflate_init(6, wb, 0, None).unwrap();
            let mut z = s.deflate(&piece, Flush::None, usize::MAX).unwrap();
            for level in [1, 0, 9] {
                s.deflate_params(level, strategy, usize::MAX, None).unwrap();
                z.extend(s.deflate(&[], Flush::None, usize::MAX).unwrap());
            }
            let before = z.len();
            z.extend(s.deflate(&piece, Flush::Finish, usize::MAX).unwrap());
            assert_eq!(z.len() - before < 1000, short, "{wb} {strategy}");
            s.deflate_end().unwrap();
            s.inflate_init(wb, None).unwrap();
            let back = s.inflate_all(&z, false, usize::MAX).unwrap().0;
            assert!(back == [&piece[..], &piece[..]].concat());
            s.inflate_end().unwrap();
        }
        // What was given before the change inflates from the stash, before the end.
        let mut s = Stream::detached();
        s.deflate_init(9, 15, 0, None).unwrap();
        let mut z = s.deflate(&data[..5000], Flush::None, usize::MAX).unwrap();
        s.deflate_params(0, 0, usize::MAX, None).unwrap();
        z.extend(s.deflate(&[], Flush::None, usize::MAX).unwrap());
        let mut i = Stream::detached();
        i.inflate_init(15, None).unwrap();
        assert!(i.inflate_all(&z, false, usize::MAX).unwrap().0 == data[..5000]);
        // After the end: zlib's stream_error, and no stash.
        s.deflate(b"x", Flush::Finish, usize::MAX).unwrap();
        assert_eq!(
            s.deflate_params(1, 0, usize::MAX, None),
            Err(ZError::Stream)
        );
        assert_eq!(s.deflate(&[], Flush::Finish, usize::MAX), Ok(Vec::new()));
        s.deflate_end().unwrap();
        assert_eq!(
            s.deflate_params(1, 0, usize::MAX, None),
            Err(ZError::NotInitialized)
        );
    }

    /// A stream handed over is the new owner's: the old one is refused, the new one's exit
    /// frees it (and its later callers are refused, not told `badarg`); one handed to a
    /// process that is not alive is freed at once.
    #[test]
    fn set_owner_hands_streams_over() {
        let mut t = Streams::new();
        let m = NodeMemory::unlimited();
        opened(&mut t, 1, 10).inflate_init(15, Some(&m)).unwrap();
        assert_eq!(t.set_owner(1, 11, 11, true), Err(ZError::NotOwner));
        t.set_owner(1, 10, 11, true).unwrap();
        assert_eq!(t.get(1, 10).err(), Some(ZError::NotOwner));
        assert!(t.get(1, 11).unwrap().is_some());
        t.owner_exited(10);
        assert_eq!(t.len(), 1);
        t.owner_exited(11);
        assert!(t.is_empty() && m.used() == 0);
        assert_eq!(t.get(1, 10).err(), Some(ZError::NotOwner));
        opened(&mut t, 2, 10)
            .deflate_init(-1, 15, 0, Some(&m))
            .unwrap();
        t.set_owner(2, 10, 12, false).unwrap();
        assert!(t.is_empty() && m.used() == 0);
        assert_eq!(t.get(2, 10).err(), Some(ZError::NotOwner));
        assert_eq!(t.set_owner(7, 10, 11, true), Err(ZError::Badarg));
    }

    /// The buffer size is kept by closed streams, and bounds inflateChunk's steps.
    #[test]
    fn buf_size_is_kept_and_bounds_chunks() {
        let mut t = Streams::new();
        opened(&mut t, 1, 10);
        assert_eq!(t.buf_size(1, 10, Some(100)), Ok(BUF_SIZE));
        assert_eq!(t.buf_size(1, 11, None), Err(ZError::NotOwner));
        let z = miniz_oxide::deflate::compress_to_vec_zlib(&[7; 250], 6);
        let s = t.live(1, 10, ZError::Badarg).unwrap();
        s.inflate_init(15, None).unwrap();
        s.enqueue(&z).unwrap();
        let sizes: Vec<(usize, bool)> = (0..4)
            .map(|_| {
                let (out, step) = s.inflate_step(s.buf_size as usize).unwrap();
                (out.len(), step == Step::Continue)
            })
            .collect();
        assert_eq!(sizes, [(100, true), (100, true), (50, false), (0, false)]);
        t.close(1, 10).unwrap();
        assert_eq!(t.buf_size(1, 10, Some(200)), Ok(100));
        assert_eq!(t.buf_size(1, 10, None), Ok(200));
        assert_eq!(t.buf_size(2, 10, None), Err(ZError::Badarg));
    }

    /// A step takes at most erl's 8 KiB of input: stored blocks give chunks that end there.
    #[test]
    fn an_inflate_step_takes_at_most_8_kib() {
        let mut raw = Vec::new();
        for (len, last) in [(10_000u16, 0u8), (5_000, 1)] {
            raw.push(last);
            raw.extend(len.to_le_bytes());
            raw.extend((!len).to_le_bytes());
            raw.extend(core::iter::repeat_n(last + 7, len as usize));
        }
        let mut s = Stream::detached();
        s.inflate_init(-15, None).unwrap();
        s.enqueue(&raw).unwrap();
        let mut sizes = Vec::new();
        loop {
            let (out, step) = s.inflate_step(65536).unwrap();
            sizes.push(out.len());
            if step == Step::Finished {
                break;
            }
        }
        assert_eq!(sizes, [8187, 6813]);
        s.inflate_end().unwrap();
    }

    /// Raw streams take a dictionary before their data only; gzip streams never.
    #[test]
    fn dictionaries_where_zlib_takes_them() {
        let mut s = Stream::detached();
        s.deflate_init(6, -15, 0, None).unwrap();
        assert_eq!(
            s.deflate_set_dictionary(b"ab"),
            Ok(adler32_update(0, b"ab"))
        );
        s.deflate(b"abab", Flush::None, usize::MAX).unwrap();
        assert_eq!(s.deflate_set_dictionary(b"ab"), Err(ZError::Stream));
        let z = s.deflate(&[], Flush::Finish, usize::MAX).unwrap();
        s.deflate_end().unwrap();
        s.inflate_init(-15, None).unwrap();
        s.inflate_set_dictionary(b"ab").unwrap();
        assert_eq!(
            s.inflate_all(&z, false, usize::MAX),
            Ok((b"abab".to_vec(), None))
        );
        assert_eq!(s.inflate_set_dictionary(b"ab"), Err(ZError::Stream));
        s.inflate_end().unwrap();
        s.deflate_init(6, 31, 0, None).unwrap();
        assert_eq!(s.deflate_set_dictionary(b"ab"), Err(ZError::Stream));
        s.deflate_end().unwrap();
        s.inflate_init(31, None).unwrap();
        assert_eq!(s.inflate_set_dictionary(b"ab"), Err(ZError::Stream));
    }
}
