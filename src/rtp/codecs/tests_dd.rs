//! Dependency Descriptor parsing: captured Chromium descriptors, hand-built
//! ones (a small bit writer that follows the spec's syntax), structures
//! followed by packets that refer to them, and malformed input.

use super::test_util::*;
use super::*;

fn parse_with(data: &[u8], known: Option<&TemplateStructure>) -> Result<FrameDescriptor, DdError> {
    let mut scratch = TemplateStructure::default();
    parse_dependency_descriptor(data, known, &mut scratch)
}

#[test]
fn chromium_l1t3_key_frame_descriptor() {
    // A descriptor Chromium sent on an L1T3 key frame (webrtc issue
    // 42225660, also in mediasoup's tests).
    let data = [
        0x80, 0x01, 0x2f, 0x80, 0x02, 0x14, 0xea, 0xa8, 0x60, 0x41, 0x4d, 0x14, 0x10, 0x20, 0x84,
        0x26,
    ];
    let mut s = TemplateStructure::default();
    let d = parse_dependency_descriptor(&data, None, &mut s).unwrap();
    assert!(d.start_of_frame && !d.end_of_frame);
    assert_eq!((d.template_id, d.frame_number), (0, 303));
    assert!(d.structure_attached);
    assert_eq!(d.active_decode_targets, Some(0b111));
    assert_eq!((d.spatial_id, d.temporal_id), (0, 0));
    assert_eq!(s.template_id_offset, 0);
    assert_eq!(s.decode_target_count, 3);
    let layers: Vec<_> = s
        .templates()
        .iter()
        .map(|t| (t.spatial_id, t.temporal_id))
        .collect();
    assert_eq!(layers, vec![(0, 0), (0, 0), (0, 1), (0, 2), (0, 2)]);
    let dtis: Vec<Vec<Dti>> = s
        .templates()
        .iter()
        .map(|t| (0..3).map(|i| t.dtis.get(i)).collect())
        .collect();
    use Dti::*;
    assert_eq!(
        dtis,
        vec![
            vec![Switch, Switch, Switch],
            vec![Switch, Switch, Switch],
            vec![NotPresent, Discardable, Switch],
            vec![NotPresent, NotPresent, Discardable],
            vec![NotPresent, NotPresent, Discardable],
        ]
    );
    let fdiffs: Vec<&[u8]> = s.templates().iter().map(|t| t.fdiffs()).collect();
    assert_eq!(fdiffs, vec![&[][..], &[4], &[2], &[1], &[1]]);
    assert_eq!(s.chain_count, 1);
    let chains: Vec<&[u8]> = s.templates().iter().map(|t| t.chain_fdiffs(1)).collect();
    assert_eq!(chains, vec![&[0][..], &[4], &[2], &[1], &[3]]);
    assert_eq!(s.decode_target_protected_by(), &[0, 0, 0]);
    assert_eq!(s.decode_target_layers(), &[(0, 0), (0, 1), (0, 2)]);
    assert_eq!((s.max_spatial_id, s.max_temporal_id), (0, 2));
    // The key frame is a switch point for every decode target.
    assert!(d.switch_layers.contains(0, 0) && d.switch_layers.contains(0, 2));
    // No render resolutions: the 16 bytes end with that flag.
    assert_eq!(s.resolutions(), None);
}

#[test]
fn chromium_l1t2_structure_then_a_mandatory_only_packet() {
    // mediasoup's "serialize" vectors: an L1T2 key frame descriptor, then a
    // 3-byte one for a later packet of the same frame.
    let key = [
        0x80, 0x00, 0xe8, 0x80, 0x01, 0x1e, 0xa8, 0x51, 0x41, 0x01, 0x0c, 0x13, 0xfc, 0x0b, 0x3c,
    ];
    let mut reader = DependencyDescriptorReader::default();
    let d = reader.read(&key, 10).unwrap();
    assert_eq!(d.frame_number, 232);
    let s = reader.structure().unwrap();
    assert_eq!(s.decode_target_count, 2);
    assert_eq!(s.templates().len(), 3);
    assert_eq!(s.templates()[2].temporal_id, 1);
    assert_eq!(s.templates()[2].fdiffs(), &[1]);
    assert_eq!(s.decode_target_layers(), &[(0, 0), (0, 1)]);
    let d = reader.read(&[0x00, 0x00, 0xe8], 11).unwrap();
    assert!(!d.start_of_frame && !d.end_of_frame && !d.structure_attached);
    assert_eq!((d.frame_number, d.template_index), (232, 0));
    assert_eq!((d.spatial_id, d.temporal_id), (0, 0));
    assert_eq!(d.active_decode_targets, None);
    assert_eq!(reader.active_decode_targets(), 0b11);
}

#[test]
fn structure_with_offset_then_packets_resolve_their_templates() {
    let mut reader = DependencyDescriptorReader::default();
    // Template ids start at 60 and wrap: template index = (id - 60) % 64.
    let key = l1t3_key(60, 1000);
    let d = reader.read(&key, 1).unwrap();
    assert!(d.structure_attached);
    assert_eq!(d.template_index, 0);
    let s = reader.structure().unwrap();
    assert_eq!(s.template_id_offset, 60);
    assert_eq!(
        s.resolutions(),
        Some(
            &[Resolution {
                width: 640,
                height: 360
            }][..]
        )
    );
    // Frames T0 (id 61), T2 (63), T1 (62), T2 (0 = index 4).
    let expected = [(61u8, 0u8, 1u8), (63, 2, 3), (62, 1, 2), (0, 2, 4)];
    for (i, (id, tid, index)) in expected.into_iter().enumerate() {
        let d = reader
            .read(&plain(true, true, id, 1001 + i as u16), 2 + i as u16)
            .unwrap();
        assert_eq!((d.temporal_id, d.template_index), (tid, index), "id {id}");
        assert_eq!(
            d.fdiffs().to_vec(),
            s_fdiffs(&l1t3_templates()[usize::from(index)])
        );
    }
    // Id 1 is index 5: not a template.
    assert_eq!(
        reader.read(&plain(true, true, 1, 2000), 9),
        Err(DdError::UnknownTemplate)
    );
    // Switch points: a T1 frame is one for the decode target with T2, not
    // for its own (D); T2 frames for none.
    let t1 = reader.read(&plain(true, true, 62, 2001), 10).unwrap();
    assert_eq!(t1.dtis.get(1), Dti::Discardable);
    assert!(!t1.switch_layers.contains(0, 1) && t1.switch_layers.contains(0, 2));
    assert!(t1.decode_target_layers.contains(0, 1));
    assert!(!t1.decode_target_layers.contains(1, 0));
    let t2 = reader.read(&plain(true, true, 63, 2002), 11).unwrap();
    assert!(t2.switch_layers.is_empty());
}

fn s_fdiffs(t: &Tpl) -> Vec<u16> {
    t.fdiffs.iter().map(|&f| u16::from(f)).collect()
}

#[test]
fn l2t2_structure_decode_target_layers_and_spatial_ids() {
    // Two spatial layers with two temporal layers each; decode targets
    // S0T0, S0T1, S1T0, S1T1; one chain per spatial layer; no resolutions.
    let templates = l2t2_templates();
    let mut w = Writer::default();
    mandatory(&mut w, true, true, 3, 7);
    w.flag(true);
    w.flag(true); // active decode targets follow the structure
    w.flag(false);
    w.flag(false);
    w.flag(false);
    write_structure(
        &mut w,
        &StructureSpec {
            offset: 0,
            templates: &templates,
            protected_by: &[0, 0, 1, 1],
            chain_count: 2,
            resolutions: None,
        },
    );
    w.put(4, 0b0101); // S0T0 and S1T0 active
    let data = w.finish();
    let mut reader = DependencyDescriptorReader::default();
    let d = reader.read(&data, 100).unwrap();
    assert_eq!((d.spatial_id, d.temporal_id), (1, 0));
    assert_eq!(d.active_decode_targets, Some(0b0101));
    assert_eq!(reader.active_decode_targets(), 0b0101);
    let s = reader.structure().unwrap();
    assert_eq!((s.max_spatial_id, s.max_temporal_id), (1, 1));
    assert_eq!(s.decode_target_layers(), &[(0, 0), (0, 1), (1, 0), (1, 1)]);
    assert_eq!(s.decode_target_protected_by(), &[0, 0, 1, 1]);
    assert_eq!(s.templates()[5].chain_fdiffs(2), &[3, 2]);
    assert_eq!(s.templates()[4].fdiffs(), &[2, 1]);
    assert_eq!(s.resolutions(), None);
    // Template 3 is S1T0: switch for S1 decode targets only.
    assert!(d.switch_layers.contains(1, 0) && d.switch_layers.contains(1, 1));
    assert!(!d.switch_layers.contains(0, 0));
    // An S0T1 frame.
    let d = reader.read(&plain(false, true, 2, 8), 101).unwrap();
    assert_eq!((d.spatial_id, d.temporal_id), (0, 1));
    assert!(!d.start_of_frame && d.end_of_frame);
    assert_eq!(d.chain_fdiffs(), &[1, 1]);
}

#[test]
fn custom_dtis_fdiffs_and_chains_override_the_template() {
    let mut reader = DependencyDescriptorReader::default();
    reader.read(&l1t3_key(0, 1), 1).unwrap();
    let mut w = Writer::default();
    mandatory(&mut w, true, false, 2, 2); // T1 template
    w.flag(false); // structure
    w.flag(true); // active decode targets
    w.flag(true); // custom DTIs
    w.flag(true); // custom fdiffs
    w.flag(true); // custom chains
    w.put(3, 0b011);
    for c in "-SR".chars() {
        w.put(2, dti_bits(c));
    }
    // fdiffs 3 (4 bits), 20 (8 bits), 300 (12 bits), end.
    w.put(2, 1);
    w.put(4, 2);
    w.put(2, 2);
    w.put(8, 19);
    w.put(2, 3);
    w.put(12, 299);
    w.put(2, 0);
    w.put(8, 200); // the one chain
    let data = w.finish();
    let d = reader.read(&data, 2).unwrap();
    assert!(d.custom_dtis && d.custom_fdiffs && d.custom_chains);
    assert_eq!(d.temporal_id, 1);
    assert_eq!(
        (0..3).map(|i| d.dtis.get(i)).collect::<Vec<_>>(),
        vec![Dti::NotPresent, Dti::Switch, Dti::Required]
    );
    assert_eq!(d.fdiffs(), &[3, 20, 300]);
    assert_eq!(d.chain_fdiffs(), &[200]);
    assert_eq!(d.active_decode_targets, Some(0b011));
    assert_eq!(reader.active_decode_targets(), 0b011);
    assert!(d.switch_layers.contains(0, 1) && !d.switch_layers.contains(0, 2));
    // Without custom fields the template's values hold again; the active
    // decode targets stay as last signalled.
    let d = reader.read(&plain(true, false, 2, 3), 3).unwrap();
    assert_eq!(d.fdiffs(), &[2]);
    assert_eq!(d.chain_fdiffs(), &[2]);
    assert_eq!(reader.active_decode_targets(), 0b011);
}

#[test]
fn packets_without_a_known_structure_are_not_resolved() {
    let mut reader = DependencyDescriptorReader::default();
    assert_eq!(
        reader.read(&plain(true, true, 0, 1), 1),
        Err(DdError::NoStructure)
    );
    // Extended fields but no structure flag: still none known.
    assert_eq!(
        reader.read(&[0x80, 0x00, 0x01, 0x40, 0x00], 2),
        Err(DdError::NoStructure)
    );
    assert!(reader.structure().is_none());
}

#[test]
fn malformed_and_truncated_input_is_rejected_without_touching_the_structure() {
    let key = l1t3_key(0, 1);
    let mut reader = DependencyDescriptorReader::default();
    reader.read(&key, 1).unwrap();
    let before = reader.structure().unwrap().clone();
    // Lengths.
    assert_eq!(parse_with(&[], None), Err(DdError::InvalidLength));
    assert_eq!(parse_with(&[0x80, 0x00], None), Err(DdError::InvalidLength));
    assert_eq!(
        parse_with(&[0u8; 256], Some(&before)),
        Err(DdError::InvalidLength)
    );
    // Every truncation of a structure-carrying descriptor (with a
    // different offset, so adopting it would show).
    let other = l1t3_key(9, 2);
    for len in 0..other.len() {
        let r = reader.read(&other[..len], 2);
        assert!(r.is_err(), "prefix of {len} bytes");
        assert_eq!(reader.structure(), Some(&before));
    }
    // Active decode targets and custom DTIs announced, not all there.
    assert_eq!(
        reader.read(&[0x80, 0x00, 0x01, 0x60], 3),
        Err(DdError::Truncated)
    );
    // Too many templates: 65 times "same layer".
    let mut w = Writer::default();
    mandatory(&mut w, true, true, 0, 1);
    w.put(5, 0b10000);
    w.put(6, 0);
    w.put(5, 0);
    for _ in 0..64 {
        w.put(2, 0);
    }
    w.put(2, 3);
    w.put(64, 0);
    assert_eq!(reader.read(&w.finish(), 4), Err(DdError::TooLarge));
    // Spatial id 4.
    let mut w = Writer::default();
    mandatory(&mut w, true, true, 0, 1);
    w.put(5, 0b10000);
    w.put(6, 0);
    w.put(5, 0);
    for _ in 0..4 {
        w.put(2, 2);
    }
    w.put(2, 3);
    w.put(64, 0);
    assert_eq!(reader.read(&w.finish(), 5), Err(DdError::TooLarge));
    // Temporal id 8.
    let mut w = Writer::default();
    mandatory(&mut w, true, true, 0, 1);
    w.put(5, 0b10000);
    w.put(6, 0);
    w.put(5, 0);
    for _ in 0..8 {
        w.put(2, 1);
    }
    w.put(2, 3);
    w.put(64, 0);
    assert_eq!(reader.read(&w.finish(), 6), Err(DdError::TooLarge));
    // 17 frame diffs in one template.
    let mut w = Writer::default();
    mandatory(&mut w, true, true, 0, 1);
    w.put(5, 0b10000);
    w.put(6, 0);
    w.put(5, 0);
    w.put(2, 3);
    w.put(2, 2);
    for _ in 0..17 {
        w.put(1, 1);
        w.put(4, 0);
    }
    w.put(1, 0);
    w.put(32, 0);
    assert_eq!(reader.read(&w.finish(), 7), Err(DdError::TooLarge));
    assert_eq!(reader.structure(), Some(&before));
    // The structure still resolves the next packet.
    assert_eq!(
        reader
            .read(&plain(true, true, 2, 9), 8)
            .unwrap()
            .temporal_id,
        1
    );
}

#[test]
fn a_late_retransmission_of_an_older_key_frame_keeps_the_newer_structure() {
    let mut reader = DependencyDescriptorReader::default();
    reader.read(&l1t3_key(0, 1), 100).unwrap();
    reader.read(&l1t3_key(20, 50), 200).unwrap();
    assert_eq!(reader.structure().unwrap().template_id_offset, 20);
    // The first key frame's packet again (RTX): described by its own
    // structure, not adopted.
    let d = reader.read(&l1t3_key(0, 1), 100).unwrap();
    assert!(d.structure_attached);
    assert_eq!(reader.structure().unwrap().template_id_offset, 20);
    // A newer one is adopted, also across the sequence number wrap.
    let mut seq = 200u16;
    for _ in 0..40 {
        seq = seq.wrapping_add(3000);
        reader.read(&plain(true, true, 21, 51), seq).unwrap();
    }
    reader
        .read(&l1t3_key(40, 100), seq.wrapping_add(1))
        .unwrap();
    assert_eq!(reader.structure().unwrap().template_id_offset, 40);
}

#[test]
fn ns_reads_the_spec_encoding() {
    for n in 1..40u32 {
        for v in 0..n {
            let mut w = Writer::default();
            w.ns(n, v);
            w.put(8, 0xa5);
            let data = w.finish();
            let mut bits = Bits {
                data: &data,
                pos: 0,
            };
            assert_eq!(bits.ns(n), Ok(v), "ns({n}) = {v}");
            assert_eq!(bits.read(8), Ok(0xa5));
        }
    }
}
