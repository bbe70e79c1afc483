//! mediasoup's RouterDump, built from the router's typed state.

use serde::Serialize;

/// One entry of a dump's id -> id map.
#[derive(Debug, Serialize, PartialEq)]
pub struct KeyValue<'a> {
    pub key: &'a str,
    pub value: &'a str,
}

/// One entry of a dump's id -> ids map.
#[derive(Debug, Serialize, PartialEq)]
pub struct KeyValues<'a> {
    pub key: &'a str,
    pub values: Vec<&'a str>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RouterDump<'a> {
    pub id: &'a str,
    pub transport_ids: Vec<&'a str>,
    pub rtp_observer_ids: Vec<&'a str>,
    pub map_producer_id_consumer_ids: Vec<KeyValues<'a>>,
    pub map_consumer_id_producer_id: Vec<KeyValue<'a>>,
    pub map_producer_id_observer_ids: Vec<KeyValues<'a>>,
    pub map_data_producer_id_data_consumer_ids: Vec<KeyValues<'a>>,
    pub map_data_consumer_id_data_producer_id: Vec<KeyValue<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_mediasoups_field_names() {
        let dump = RouterDump {
            id: "r",
            transport_ids: vec!["t"],
            rtp_observer_ids: vec![],
            map_producer_id_consumer_ids: vec![KeyValues {
                key: "p",
                values: vec!["c"],
            }],
            map_consumer_id_producer_id: vec![KeyValue {
                key: "c",
                value: "p",
            }],
            map_producer_id_observer_ids: vec![],
            map_data_producer_id_data_consumer_ids: vec![],
            map_data_consumer_id_data_producer_id: vec![],
        };
        assert_eq!(
            serde_json::to_value(&dump).unwrap(),
            serde_json::json!({
                "id": "r", "transportIds": ["t"], "rtpObserverIds": [],
                "mapProducerIdConsumerIds": [{"key": "p", "values": ["c"]}],
                "mapConsumerIdProducerId": [{"key": "c", "value": "p"}],
                "mapProducerIdObserverIds": [],
                "mapDataProducerIdDataConsumerIds": [],
                "mapDataConsumerIdDataProducerId": []
            })
        );
    }
}
