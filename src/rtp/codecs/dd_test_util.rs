//! Builders of Dependency Descriptor bytes for tests (here and in the
//! consumer's layer tests): a bit writer that follows the spec's syntax and
//! libwebrtc's L1T3 structure.

/// Writes bits most significant first, as the descriptor is read.
#[derive(Default)]
pub struct Writer {
    bytes: Vec<u8>,
    bits: usize,
}

impl Writer {
    pub fn put(&mut self, n: u32, v: u32) {
        for i in (0..n).rev() {
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (v >> i) & 1 == 1 {
                let last = self.bytes.len() - 1;
                self.bytes[last] |= 0x80 >> (self.bits % 8);
            }
            self.bits += 1;
        }
    }

    pub fn flag(&mut self, b: bool) {
        self.put(1, u32::from(b));
    }

    /// `ns(n)` encoding of `v`.
    pub fn ns(&mut self, n: u32, v: u32) {
        assert!(v < n);
        if n <= 1 {
            return;
        }
        let w = 32 - n.leading_zeros();
        let m = (1 << w) - n;
        if v < m {
            self.put(w - 1, v);
        } else {
            let x = v + m;
            self.put(w - 1, x >> 1);
            self.put(1, x & 1);
        }
    }

    /// The bytes written (the last one zero-padded).
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// A template as the tests describe it: layers, DTIs ('-', 'D', 'S', 'R'
/// per decode target), frame diffs and chain diffs.
pub struct Tpl {
    pub s: u8,
    pub t: u8,
    pub dtis: &'static str,
    pub fdiffs: &'static [u8],
    pub chains: &'static [u8],
}

pub fn tpl(s: u8, t: u8, dtis: &'static str, fdiffs: &'static [u8], chains: &'static [u8]) -> Tpl {
    Tpl {
        s,
        t,
        dtis,
        fdiffs,
        chains,
    }
}

pub fn dti_bits(c: char) -> u32 {
    match c {
        '-' => 0,
        'D' => 1,
        'S' => 2,
        'R' => 3,
        _ => panic!("dti {c}"),
    }
}

pub struct StructureSpec<'a> {
    pub offset: u8,
    pub templates: &'a [Tpl],
    pub protected_by: &'a [u32],
    pub chain_count: u32,
    pub resolutions: Option<&'a [(u32, u32)]>,
}

pub fn write_structure(w: &mut Writer, spec: &StructureSpec) {
    let dt_count = spec.templates[0].dtis.len() as u32;
    w.put(6, u32::from(spec.offset));
    w.put(5, dt_count - 1);
    for (i, t) in spec.templates.iter().enumerate() {
        let idc = match spec.templates.get(i + 1) {
            None => 3,
            Some(n) if n.s == t.s && n.t == t.t => 0,
            Some(n) if n.s == t.s && n.t == t.t + 1 => 1,
            Some(n) if n.s == t.s + 1 && n.t == 0 => 2,
            Some(_) => panic!("template order"),
        };
        w.put(2, idc);
    }
    for t in spec.templates {
        for c in t.dtis.chars() {
            w.put(2, dti_bits(c));
        }
    }
    for t in spec.templates {
        for &f in t.fdiffs {
            w.flag(true);
            w.put(4, u32::from(f) - 1);
        }
        w.flag(false);
    }
    w.ns(dt_count + 1, spec.chain_count);
    if spec.chain_count > 0 {
        for &p in spec.protected_by {
            w.ns(spec.chain_count, p);
        }
        for t in spec.templates {
            for &c in t.chains {
                w.put(4, u32::from(c));
            }
        }
    }
    match spec.resolutions {
        Some(r) => {
            w.flag(true);
            for &(width, height) in r {
                w.put(16, width - 1);
                w.put(16, height - 1);
            }
        }
        None => w.flag(false),
    }
}

/// Mandatory fields.
pub fn mandatory(w: &mut Writer, sof: bool, eof: bool, template_id: u8, frame: u16) {
    w.flag(sof);
    w.flag(eof);
    w.put(6, u32::from(template_id));
    w.put(16, u32::from(frame));
}

/// L1T3 as libwebrtc describes it: key frame, T0, T1, T2 (after T0), T2
/// (after T1); decode targets for T0, T0+T1, all; one chain.
pub fn l1t3_templates() -> Vec<Tpl> {
    vec![
        tpl(0, 0, "SSS", &[], &[0]),
        tpl(0, 0, "SSS", &[4], &[4]),
        tpl(0, 1, "-DS", &[2], &[2]),
        tpl(0, 2, "--D", &[1], &[1]),
        tpl(0, 2, "--D", &[1], &[3]),
    ]
}

/// Two spatial layers with two temporal layers each: decode targets S0T0,
/// S0T1, S1T0, S1T1; one chain per spatial layer.
pub fn l2t2_templates() -> Vec<Tpl> {
    vec![
        tpl(0, 0, "SSSS", &[], &[0, 0]),
        tpl(0, 0, "SSRR", &[2], &[2, 1]),
        tpl(0, 1, "-D-R", &[1], &[1, 1]),
        tpl(1, 0, "--SS", &[1], &[1, 1]),
        tpl(1, 0, "--SS", &[2, 1], &[1, 1]),
        tpl(1, 1, "---D", &[2, 1], &[3, 2]),
    ]
}

pub fn l1t3_key(offset: u8, frame: u16) -> Vec<u8> {
    let templates = l1t3_templates();
    let mut w = Writer::default();
    mandatory(&mut w, true, false, offset, frame);
    w.flag(true); // structure
    w.flag(false); // active decode targets
    w.flag(false);
    w.flag(false);
    w.flag(false);
    write_structure(
        &mut w,
        &StructureSpec {
            offset,
            templates: &templates,
            protected_by: &[0, 0, 0],
            chain_count: 1,
            resolutions: Some(&[(640, 360)]),
        },
    );
    w.finish()
}

/// A packet with only the mandatory fields.
pub fn plain(sof: bool, eof: bool, template_id: u8, frame: u16) -> Vec<u8> {
    let mut w = Writer::default();
    mandatory(&mut w, sof, eof, template_id, frame);
    w.finish()
}
