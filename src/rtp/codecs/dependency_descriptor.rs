//! The Dependency Descriptor RTP header extension (AV1 RTP specification,
//! appendix A): which frame a packet belongs to, its spatial and temporal
//! layer, and how it relates to each decode target, without looking at the
//! payload. Senders (Chromium for AV1, and for H264/VP8/VP9 with a
//! scalability mode) put it on every packet; the first packet of a key frame
//! also carries the template dependency structure that later packets refer
//! to by template id.
//!
//! mediasoup 3.27 (`Codecs::DependencyDescriptor`) reads the mandatory
//! fields, the structure (templates' layers, DTIs, fdiffs, chains) and the
//! active decode targets, and takes the frame's spatial and temporal layer
//! from its template; it skips the decode target layers, resolutions and
//! any custom DTIs/fdiffs/chains (so a packet with custom fields after a
//! structure is mis-read there). This parser reads the whole syntax.
//!
//! Everything is bounds-checked and allocation-free: the structure lives in
//! fixed arrays (64 templates, 32 decode targets, 32 chains, the spec's
//! limits); [`DependencyDescriptorReader`] keeps one per RTP stream in a box
//! allocated when the first structure arrives (a key frame), and parsing
//! never touches it unless the whole descriptor was valid.

/// At most 64 templates: template ids are 6 bits.
pub const MAX_TEMPLATES: usize = 64;
/// `dt_cnt_minus_one` is 5 bits.
pub const MAX_DECODE_TARGETS: usize = 32;
/// `chain_cnt` is at most the number of decode targets.
pub const MAX_CHAINS: usize = 32;
/// Spatial ids 0..=3 and temporal ids 0..=7 (AV1's limits; libwebrtc's
/// reader rejects more).
pub const MAX_SPATIAL_IDS: usize = 4;
pub const MAX_TEMPORAL_IDS: usize = 8;
/// Frame diffs kept per template or frame. The syntax does not bound them;
/// a frame has at most 7 references in AV1, so more is treated as invalid.
pub const MAX_FDIFFS: usize = 16;
/// The extension's maximum size (two-byte header form).
const MAX_LEN: usize = 255;

/// Why a descriptor was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DdError {
    /// Fewer than 3 bytes, or more than an extension can hold.
    InvalidLength,
    /// The data ends before the syntax does.
    Truncated,
    /// The packet refers to a template structure that was never received
    /// (or was lost).
    NoStructure,
    /// The template id is not one of the structure's.
    UnknownTemplate,
    /// Beyond the limits above (templates, layer ids, fdiffs).
    TooLarge,
}

/// How a frame relates to a decode target (spec A.8.2, table A.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dti {
    /// Not part of the decode target.
    NotPresent = 0,
    /// No later frame of the decode target depends on it.
    Discardable = 1,
    /// A decoder can start decoding the decode target at this frame (given
    /// the frames of its chain).
    Switch = 2,
    /// Needed, but not a switch point.
    Required = 3,
}

impl Dti {
    fn from_bits(v: u32) -> Dti {
        match v & 3 {
            0 => Dti::NotPresent,
            1 => Dti::Discardable,
            2 => Dti::Switch,
            _ => Dti::Required,
        }
    }
}

/// One DTI per decode target, two bits each (decode target `i` in bits
/// `2i..2i+2`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dtis(u64);

impl Dtis {
    pub fn get(self, decode_target: usize) -> Dti {
        if decode_target >= MAX_DECODE_TARGETS {
            return Dti::NotPresent;
        }
        Dti::from_bits((self.0 >> (2 * decode_target)) as u32)
    }

    pub fn set(&mut self, decode_target: usize, dti: Dti) {
        if decode_target < MAX_DECODE_TARGETS {
            let shift = 2 * decode_target;
            self.0 = (self.0 & !(3 << shift)) | ((dti as u64) << shift);
        }
    }
}

/// A set of (spatial id, temporal id) pairs: bit `spatial * 8 + temporal`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerSet(pub u32);

impl LayerSet {
    fn bit(spatial: u8, temporal: u8) -> u32 {
        if usize::from(spatial) < MAX_SPATIAL_IDS && usize::from(temporal) < MAX_TEMPORAL_IDS {
            1 << (u32::from(spatial) * 8 + u32::from(temporal))
        } else {
            0
        }
    }

    pub fn insert(&mut self, spatial: u8, temporal: u8) {
        self.0 |= Self::bit(spatial, temporal);
    }

    pub fn contains(self, spatial: u8, temporal: u8) -> bool {
        let bit = Self::bit(spatial, temporal);
        bit != 0 && self.0 & bit != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// One frame dependency template of a structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameTemplate {
    pub spatial_id: u8,
    pub temporal_id: u8,
    pub dtis: Dtis,
    fdiff_count: u8,
    fdiffs: [u8; MAX_FDIFFS],
    /// One per chain of the structure.
    chain_fdiffs: [u8; MAX_CHAINS],
}

impl FrameTemplate {
    const EMPTY: FrameTemplate = FrameTemplate {
        spatial_id: 0,
        temporal_id: 0,
        dtis: Dtis(0),
        fdiff_count: 0,
        fdiffs: [0; MAX_FDIFFS],
        chain_fdiffs: [0; MAX_CHAINS],
    };

    /// Differences to the frame numbers of the frames it references.
    pub fn fdiffs(&self) -> &[u8] {
        &self.fdiffs[..usize::from(self.fdiff_count)]
    }

    pub fn chain_fdiffs(&self, chain_count: usize) -> &[u8] {
        &self.chain_fdiffs[..chain_count.min(MAX_CHAINS)]
    }
}

/// A render resolution (per spatial layer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resolution {
    pub width: u32,
    pub height: u32,
}

/// The template dependency structure (spec A.8.1) a key frame's first
/// packet carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateStructure {
    pub template_id_offset: u8,
    pub decode_target_count: u8,
    template_count: u8,
    templates: [FrameTemplate; MAX_TEMPLATES],
    pub chain_count: u8,
    protected_by: [u8; MAX_DECODE_TARGETS],
    /// (spatial id, temporal id) of each decode target: the highest layers
    /// of the templates that are part of it.
    decode_target_layers: [(u8, u8); MAX_DECODE_TARGETS],
    pub max_spatial_id: u8,
    pub max_temporal_id: u8,
    resolutions: Option<[Resolution; MAX_SPATIAL_IDS]>,
}

impl Default for TemplateStructure {
    fn default() -> Self {
        TemplateStructure {
            template_id_offset: 0,
            decode_target_count: 0,
            template_count: 0,
            templates: [FrameTemplate::EMPTY; MAX_TEMPLATES],
            chain_count: 0,
            protected_by: [0; MAX_DECODE_TARGETS],
            decode_target_layers: [(0, 0); MAX_DECODE_TARGETS],
            max_spatial_id: 0,
            max_temporal_id: 0,
            resolutions: None,
        }
    }
}

impl TemplateStructure {
    pub fn templates(&self) -> &[FrameTemplate] {
        &self.templates[..usize::from(self.template_count)]
    }

    /// The chain that protects each decode target (empty without chains).
    pub fn decode_target_protected_by(&self) -> &[u8] {
        if self.chain_count == 0 {
            return &[];
        }
        &self.protected_by[..usize::from(self.decode_target_count)]
    }

    /// (spatial id, temporal id) of each decode target.
    pub fn decode_target_layers(&self) -> &[(u8, u8)] {
        &self.decode_target_layers[..usize::from(self.decode_target_count)]
    }

    /// Render resolution per spatial id (`max_spatial_id + 1` of them).
    pub fn resolutions(&self) -> Option<&[Resolution]> {
        self.resolutions
            .as_ref()
            .map(|r| &r[..=usize::from(self.max_spatial_id)])
    }

    /// The layers for which a decode target exists.
    pub fn layer_set(&self) -> LayerSet {
        let mut set = LayerSet::default();
        for &(s, t) in self.decode_target_layers() {
            set.insert(s, t);
        }
        set
    }

    /// The layers whose decode target(s) `dtis` marks as switch points.
    pub fn switch_layers(&self, dtis: Dtis) -> LayerSet {
        self.layers_where(dtis, |dti| dti == Dti::Switch)
    }

    /// The layers whose decode target(s) a frame with `dtis` is part of.
    pub fn present_layers(&self, dtis: Dtis) -> LayerSet {
        self.layers_where(dtis, |dti| dti != Dti::NotPresent)
    }

    fn layers_where(&self, dtis: Dtis, keep: impl Fn(Dti) -> bool) -> LayerSet {
        let mut set = LayerSet::default();
        for (i, &(s, t)) in self.decode_target_layers().iter().enumerate() {
            if keep(dtis.get(i)) {
                set.insert(s, t);
            }
        }
        set
    }
}

/// One packet's descriptor (spec A.8), with the frame dependency definition
/// resolved through the structure in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameDescriptor {
    pub start_of_frame: bool,
    pub end_of_frame: bool,
    /// `frame_dependency_template_id` as written (before the offset).
    pub template_id: u8,
    pub frame_number: u16,
    /// The packet carried a template dependency structure (a key frame).
    pub structure_attached: bool,
    /// The active decode targets this packet signals (all of them when it
    /// carries a structure); None when it says nothing about them.
    pub active_decode_targets: Option<u32>,
    /// Index of the frame's template in the structure.
    pub template_index: u8,
    pub spatial_id: u8,
    pub temporal_id: u8,
    /// The template's, or the packet's own (custom DTIs).
    pub dtis: Dtis,
    pub custom_dtis: bool,
    pub custom_fdiffs: bool,
    pub custom_chains: bool,
    fdiff_count: u8,
    fdiffs: [u16; MAX_FDIFFS],
    chain_count: u8,
    chain_fdiffs: [u8; MAX_CHAINS],
    /// Layers that have a decode target in the structure.
    pub decode_target_layers: LayerSet,
    /// Layers for whose decode target(s) this frame is a switch point.
    pub switch_layers: LayerSet,
    /// Layers whose decode target(s) this frame is part of.
    pub present_layers: LayerSet,
}

impl FrameDescriptor {
    pub fn fdiffs(&self) -> &[u16] {
        &self.fdiffs[..usize::from(self.fdiff_count)]
    }

    pub fn chain_fdiffs(&self) -> &[u8] {
        &self.chain_fdiffs[..usize::from(self.chain_count)]
    }

    /// What layer selection reads of it.
    pub fn frame(&self) -> DdFrame {
        DdFrame {
            start_of_frame: self.start_of_frame,
            end_of_frame: self.end_of_frame,
            key_frame: self.structure_attached,
            spatial: self.spatial_id,
            temporal: self.temporal_id,
            decode_target_layers: self.decode_target_layers,
            switch_layers: self.switch_layers,
            present_layers: self.present_layers,
        }
    }
}

/// The part of a packet's dependency descriptor a forwarder decides on:
/// small and `Copy`, resolved once by the producer for all its consumers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DdFrame {
    pub start_of_frame: bool,
    pub end_of_frame: bool,
    /// The frame starts a coded video sequence (the descriptor carries a
    /// structure, or the payload says so).
    pub key_frame: bool,
    pub spatial: u8,
    pub temporal: u8,
    pub decode_target_layers: LayerSet,
    pub switch_layers: LayerSet,
    pub present_layers: LayerSet,
}

/// Bit reader over the extension bytes (most significant bit first).
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: u32) -> Result<u32, DdError> {
        debug_assert!(n <= 32);
        if self.pos + n as usize > self.data.len() * 8 {
            return Err(DdError::Truncated);
        }
        let mut v: u64 = 0;
        for _ in 0..n {
            let byte = self.data[self.pos / 8];
            let bit = (byte >> (7 - self.pos % 8)) & 1;
            v = (v << 1) | u64::from(bit);
            self.pos += 1;
        }
        Ok(v as u32)
    }

    fn flag(&mut self) -> Result<bool, DdError> {
        Ok(self.read(1)? == 1)
    }

    /// `ns(n)`: a non-symmetric unsigned value in `0..n`.
    fn ns(&mut self, n: u32) -> Result<u32, DdError> {
        if n <= 1 {
            return Ok(0);
        }
        let w = 32 - n.leading_zeros();
        let m = (1u32 << w) - n;
        let v = self.read(w - 1)?;
        if v < m {
            return Ok(v);
        }
        let extra = self.read(1)?;
        Ok((v << 1) - m + extra)
    }
}

/// Reads the template dependency structure into `s`.
fn read_structure(bits: &mut Bits, s: &mut TemplateStructure) -> Result<(), DdError> {
    s.template_id_offset = bits.read(6)? as u8;
    s.decode_target_count = bits.read(5)? as u8 + 1;
    let dt_count = usize::from(s.decode_target_count);
    // Template layers.
    let (mut spatial, mut temporal) = (0u8, 0u8);
    let mut max_temporal = 0u8;
    let mut count = 0usize;
    loop {
        if count == MAX_TEMPLATES
            || usize::from(spatial) >= MAX_SPATIAL_IDS
            || usize::from(temporal) >= MAX_TEMPORAL_IDS
        {
            return Err(DdError::TooLarge);
        }
        s.templates[count] = FrameTemplate {
            spatial_id: spatial,
            temporal_id: temporal,
            ..FrameTemplate::EMPTY
        };
        count += 1;
        match bits.read(2)? {
            0 => {}
            1 => {
                temporal += 1;
                max_temporal = max_temporal.max(temporal);
            }
            2 => {
                temporal = 0;
                spatial += 1;
            }
            _ => break,
        }
    }
    s.template_count = count as u8;
    s.max_spatial_id = spatial;
    s.max_temporal_id = max_temporal;
    // DTIs.
    for t in &mut s.templates[..count] {
        for dt in 0..dt_count {
            t.dtis.set(dt, Dti::from_bits(bits.read(2)?));
        }
    }
    // Frame diffs.
    for t in &mut s.templates[..count] {
        while bits.flag()? {
            let fdiff = bits.read(4)? as u8 + 1;
            let n = usize::from(t.fdiff_count);
            if n == MAX_FDIFFS {
                return Err(DdError::TooLarge);
            }
            t.fdiffs[n] = fdiff;
            t.fdiff_count += 1;
        }
    }
    // Chains.
    s.chain_count = bits.ns(dt_count as u32 + 1)? as u8;
    let chains = usize::from(s.chain_count);
    if chains > 0 {
        for dt in 0..dt_count {
            s.protected_by[dt] = bits.ns(chains as u32)? as u8;
        }
        for t in &mut s.templates[..count] {
            for c in 0..chains {
                t.chain_fdiffs[c] = bits.read(4)? as u8;
            }
        }
    }
    // Decode target layers (derived, not transmitted).
    for dt in 0..dt_count {
        let (mut sid, mut tid) = (0u8, 0u8);
        for t in &s.templates[..count] {
            if t.dtis.get(dt) != Dti::NotPresent {
                sid = sid.max(t.spatial_id);
                tid = tid.max(t.temporal_id);
            }
        }
        s.decode_target_layers[dt] = (sid, tid);
    }
    // Render resolutions.
    s.resolutions = if bits.flag()? {
        let mut r = [Resolution::default(); MAX_SPATIAL_IDS];
        for res in r.iter_mut().take(usize::from(s.max_spatial_id) + 1) {
            res.width = bits.read(16)? + 1;
            res.height = bits.read(16)? + 1;
        }
        Some(r)
    } else {
        None
    };
    Ok(())
}

/// Parses one descriptor. `known` is the structure in force; a structure
/// the packet carries is written into `attached` (and used for this
/// packet). Nothing is read past `data` and nothing panics on any input.
pub fn parse_dependency_descriptor(
    data: &[u8],
    known: Option<&TemplateStructure>,
    attached: &mut TemplateStructure,
) -> Result<FrameDescriptor, DdError> {
    parse(data, known, Some(attached))
}

/// [`parse_dependency_descriptor`]; without `attached`, a descriptor that
/// carries a structure is not read.
fn parse(
    data: &[u8],
    known: Option<&TemplateStructure>,
    attached: Option<&mut TemplateStructure>,
) -> Result<FrameDescriptor, DdError> {
    if data.len() < 3 || data.len() > MAX_LEN {
        return Err(DdError::InvalidLength);
    }
    let mut bits = Bits { data, pos: 0 };
    let start_of_frame = bits.flag()?;
    let end_of_frame = bits.flag()?;
    let template_id = bits.read(6)? as u8;
    let frame_number = bits.read(16)? as u16;
    let (mut structure_present, mut active_present) = (false, false);
    let (mut custom_dtis, mut custom_fdiffs, mut custom_chains) = (false, false, false);
    if data.len() > 3 {
        structure_present = bits.flag()?;
        active_present = bits.flag()?;
        custom_dtis = bits.flag()?;
        custom_fdiffs = bits.flag()?;
        custom_chains = bits.flag()?;
    }
    let structure: &TemplateStructure = if structure_present {
        let attached = attached.ok_or(DdError::NoStructure)?;
        read_structure(&mut bits, attached)?;
        attached
    } else {
        known.ok_or(DdError::NoStructure)?
    };
    let dt_count = usize::from(structure.decode_target_count);
    let mut active_decode_targets = None;
    if structure_present {
        active_decode_targets = Some(((1u64 << dt_count) - 1) as u32);
    }
    if active_present {
        active_decode_targets = Some(bits.read(dt_count as u32)?);
    }
    // Frame dependency definition.
    let template_index =
        (usize::from(template_id) + 64 - usize::from(structure.template_id_offset)) % 64;
    if template_index >= usize::from(structure.template_count) {
        return Err(DdError::UnknownTemplate);
    }
    let template = &structure.templates[template_index];
    let mut dtis = template.dtis;
    if custom_dtis {
        for dt in 0..dt_count {
            dtis.set(dt, Dti::from_bits(bits.read(2)?));
        }
    }
    let mut fdiffs = [0u16; MAX_FDIFFS];
    let mut fdiff_count = 0usize;
    if custom_fdiffs {
        loop {
            let size = bits.read(2)?;
            if size == 0 {
                break;
            }
            if fdiff_count == MAX_FDIFFS {
                return Err(DdError::TooLarge);
            }
            fdiffs[fdiff_count] = bits.read(4 * size)? as u16 + 1;
            fdiff_count += 1;
        }
    } else {
        for (d, &f) in fdiffs.iter_mut().zip(template.fdiffs()) {
            *d = u16::from(f);
        }
        fdiff_count = usize::from(template.fdiff_count);
    }
    let chain_count = usize::from(structure.chain_count);
    let mut chain_fdiffs = [0u8; MAX_CHAINS];
    if custom_chains {
        for c in chain_fdiffs.iter_mut().take(chain_count) {
            *c = bits.read(8)? as u8;
        }
    } else {
        chain_fdiffs[..chain_count].copy_from_slice(template.chain_fdiffs(chain_count));
    }
    // The rest is zero padding.
    Ok(FrameDescriptor {
        start_of_frame,
        end_of_frame,
        template_id,
        frame_number,
        structure_attached: structure_present,
        active_decode_targets,
        template_index: template_index as u8,
        spatial_id: template.spatial_id,
        temporal_id: template.temporal_id,
        dtis,
        custom_dtis,
        custom_fdiffs,
        custom_chains,
        fdiff_count: fdiff_count as u8,
        fdiffs,
        chain_count: chain_count as u8,
        chain_fdiffs,
        decode_target_layers: structure.layer_set(),
        switch_layers: structure.switch_layers(dtis),
        present_layers: structure.present_layers(dtis),
    })
}

/// How far back (in sequence numbers) a packet may be and still be
/// recognised as older than the one that brought the structure in force.
const STALE_WINDOW: u16 = 0x4000;

/// The receive side of one RTP stream's descriptors: keeps the structure
/// (and the active decode targets) from packet to packet, as mediasoup keeps
/// one per receive stream.
#[derive(Debug, Default)]
pub struct DependencyDescriptorReader {
    structure: Option<Box<TemplateStructure>>,
    /// Where an attached structure is parsed before it is adopted.
    scratch: Option<Box<TemplateStructure>>,
    /// Sequence number of the packet that brought `structure` (dragged
    /// forward so it never looks newer after the numbers wrap).
    structure_seq: u16,
    active_decode_targets: u32,
}

impl DependencyDescriptorReader {
    /// Reads the descriptor of the packet with sequence number `seq`. A
    /// structure it carries becomes the one in force, unless the packet is
    /// older than the one that brought the current structure (a late
    /// retransmission of an earlier key frame). Allocates only the first
    /// time a structure arrives.
    pub fn read(&mut self, data: &[u8], seq: u16) -> Result<FrameDescriptor, DdError> {
        // Only a descriptor with extended fields can carry a structure.
        let may_carry = data.len() > 3 && data[3] & 0x80 != 0;
        if may_carry && self.scratch.is_none() {
            self.scratch = Some(Box::default());
        }
        let attached = match may_carry {
            true => self.scratch.as_deref_mut(),
            false => None,
        };
        let d = parse(data, self.structure.as_deref(), attached)?;
        let older = self.structure.is_some() && {
            let behind = self.structure_seq.wrapping_sub(seq);
            behind != 0 && behind < STALE_WINDOW
        };
        if d.structure_attached && !older {
            std::mem::swap(&mut self.structure, &mut self.scratch);
            self.structure_seq = seq;
        } else if seq.wrapping_sub(self.structure_seq) > STALE_WINDOW
            && seq.wrapping_sub(self.structure_seq) < 0x8000
        {
            self.structure_seq = seq.wrapping_sub(STALE_WINDOW);
        }
        if let (Some(active), false) = (d.active_decode_targets, older) {
            self.active_decode_targets = active;
        }
        Ok(d)
    }

    /// The structure in force.
    pub fn structure(&self) -> Option<&TemplateStructure> {
        self.structure.as_deref()
    }

    /// The decode targets the sender last said are active (bit i: decode
    /// target i).
    pub fn active_decode_targets(&self) -> u32 {
        self.active_decode_targets
    }
}

#[cfg(test)]
#[path = "dd_test_util.rs"]
pub(crate) mod test_util;
#[cfg(test)]
#[path = "tests_dd.rs"]
mod tests;
