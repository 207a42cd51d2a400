//! Batch assessment streamed to a [`ReportWriter`]: sites are assessed and their records
//! encoded in parallel (rayon), a chunk at a time, and written in order while the next
//! chunk is assessed — so both cores work on the expensive parts (assessment and
//! serialisation) while memory stays bounded by two chunks however long the batch is.
//! Within a chunk, sites are assessed in [`locality_order`] (neighbours one after
//! another, so the index stays in cache) and written back in output order.
//! The CLI and the HTTP batch endpoint share it.

use crate::engine::assess::{summary_order, AssessOptions, Assessor, SiteInput};
use crate::engine::site::{locality_order, Site};
use crate::io::output::{encode_record, Format, ReportWriter};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::io::{self, Write};

/// Sites per chunk: large enough to keep both cores busy and to give the locality order
/// neighbours to work with, small enough that a chunk's encoded records stay a few MB (a
/// full report is about 6 kB, a CSV row under 0.5 kB).
pub fn chunk_len(format: Format) -> usize {
    match format {
        Format::Csv => 8192,
        Format::Json | Format::Ndjson | Format::Geojson => 2048,
    }
}

/// Assesses `inputs` and writes their reports through `writer` — in input order, or with
/// `rank` best first (see [`crate::engine::assess::rank_order`]; a first pass keeps only
/// each site's summary, the second writes the full reports). `on_chunk(n)` is called
/// after every `n` sites written (for progress). Returns how many sites were assessed
/// without error. The writer is not finished, so the caller can still write or close it.
pub fn write_batch<W: Write>(
    assessor: &Assessor,
    inputs: &[SiteInput],
    options: &AssessOptions,
    rank: bool,
    writer: &mut ReportWriter<W>,
    mut on_chunk: impl FnMut(usize),
) -> io::Result<usize> {
    let order: Vec<usize> = if rank {
        // Only the summaries are kept, so the whole batch can be visited in locality order.
        let mut summaries = vec![None; inputs.len()];
        let visit = locality_order(&anchors(inputs, 0..inputs.len()));
        let found: Vec<_> = visit
            .par_iter()
            .map(|&i| assessor.assess(&inputs[i], options).summary)
            .collect();
        for (i, summary) in visit.into_iter().zip(found) {
            summaries[i] = summary;
        }
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        order.sort_by(|&a, &b| match (&summaries[a], &summaries[b]) {
            (Some(x), Some(y)) => summary_order(x, y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        });
        order
    } else {
        (0..inputs.len()).collect()
    };
    let format = writer.format();
    // Chunks are assessed and encoded on the rayon pool by a helper thread while this
    // thread writes the chunk before (a rendezvous: at most two chunks live), so writing
    // never leaves the cores idle; `writer` itself stays on this thread.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<(bool, Vec<u8>)>>>(0);
        let mut first_rank = writer.written() + 1;
        scope.spawn(move || {
            for chunk in order.chunks(chunk_len(format)) {
                // Assessed in locality order, put back in output order.
                let visit = locality_order(&anchors(inputs, chunk.iter().copied()));
                let records = visit
                    .par_iter()
                    .map(|&offset| {
                        let report = assessor.assess(&inputs[chunk[offset]], options);
                        let record = encode_record(format, first_rank + offset, &report)?;
                        Ok((offset, report.error.is_none(), record))
                    })
                    .collect::<io::Result<Vec<_>>>()
                    .map(|mut records| {
                        records.sort_unstable_by_key(|r| r.0);
                        records.into_iter().map(|(_, ok, record)| (ok, record)).collect()
                    });
                first_rank += chunk.len();
                // A closed channel means the writer failed: stop assessing.
                if tx.send(records).is_err() {
                    break;
                }
            }
        });
        let mut assessed = 0;
        for records in rx {
            let records = records?;
            for (ok, record) in &records {
                assessed += usize::from(*ok);
                writer.write_encoded(record)?;
            }
            on_chunk(records.len());
        }
        Ok(assessed)
    })
}

/// The anchors of the sites at `indices` (`None` for a rejected site), for [`locality_order`].
fn anchors(inputs: &[SiteInput], indices: impl Iterator<Item = usize>) -> Vec<Option<geo::Point<f64>>> {
    indices
        .map(|i| inputs[i].site.as_ref().ok().map(Site::anchor))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::assess::rank_order;
    use crate::engine::catalog::Catalog;
    use crate::engine::rubric::Rubric;
    use crate::engine::site::SiteError;
    use crate::io::output::tests::tiny_catalog;
    use serde_json::json;
    use std::sync::LazyLock;

    /// Full reports go out 2,048 sites a chunk.
    const CHUNK: usize = 2048;

    /// Sites spanning two chunks and a bit, inside and outside the flood zone, the zoning
    /// and the area, so that their ranks differ; their input order jumps about the map (so
    /// it is not the locality order), and every 500th site is rejected.
    fn inputs() -> Vec<SiteInput> {
        (0..2 * CHUNK + 3)
            .map(|i| SiteInput {
                id: json!(i),
                name: None,
                source_ref: None,
                site: if i % 500 == 7 {
                    Err(SiteError::Empty.into())
                } else {
                    Ok(Site::point(141.0 + (i % 97) as f64 * 0.0003, 38.3 + (i % 89) as f64 * 0.0003).unwrap())
                },
            })
            .collect()
    }

    static CATALOG: LazyLock<Catalog> = LazyLock::new(tiny_catalog);
    static RUBRIC: LazyLock<Rubric> = LazyLock::new(Rubric::default_rubric);

    fn assessor() -> Assessor<'static> {
        Assessor {
            catalog: &CATALOG,
            rubric: &RUBRIC,
        }
    }

    /// The batch as a document in `format`: its bytes, the sites assessed without error and
    /// the progress calls.
    fn run(assessor: &Assessor, inputs: &[SiteInput], format: Format, rank: bool) -> (Vec<u8>, usize, Vec<usize>) {
        let mut writer = ReportWriter::new(Vec::new(), format, false);
        let mut progress = Vec::new();
        let assessed = write_batch(assessor, inputs, &AssessOptions::default(), rank, &mut writer, |n| {
            progress.push(n)
        })
        .unwrap();
        (writer.finish().unwrap(), assessed, progress)
    }

    #[test]
    fn chunks_are_written_in_order_and_ranked_across_chunks() {
        let assessor = assessor();
        let inputs = inputs();
        let reports: Vec<_> = inputs
            .iter()
            .map(|i| assessor.assess(i, &AssessOptions::default()))
            .collect();
        let expect = |format: Format, order: &[usize]| {
            let mut w = ReportWriter::new(Vec::new(), format, false);
            for &i in order {
                w.write(&reports[i]).unwrap();
            }
            w.finish().unwrap()
        };
        let in_order: Vec<usize> = (0..inputs.len()).collect();
        let visit = locality_order(&anchors(&inputs, 0..CHUNK));
        assert_ne!(
            visit,
            in_order[..CHUNK],
            "the locality order must differ from the input order"
        );
        assert!(visit[CHUNK - 5..].iter().all(|i| i % 500 == 7), "rejected sites last");

        for format in [Format::Geojson, Format::Ndjson, Format::Csv, Format::Json] {
            let (out, assessed, progress) = run(&assessor, &inputs, format, false);
            assert!(
                out == expect(format, &in_order),
                "{format:?}: input order, byte for byte"
            );
            assert_eq!(assessed, inputs.len() - 9, "{format:?}: all but the rejected");
            let chunk = chunk_len(format);
            let chunks: Vec<usize> = in_order.chunks(chunk).map(<[usize]>::len).collect();
            assert_eq!(progress, chunks, "{format:?}");
        }

        let mut ranked = in_order.clone();
        ranked.sort_by(|&a, &b| rank_order(&reports[a], &reports[b]));
        assert_ne!(
            ranked, in_order,
            "the sites must rank differently for this test to mean anything"
        );
        let (out, _, _) = run(&assessor, &inputs, Format::Geojson, true);
        assert!(out == expect(Format::Geojson, &ranked), "rank order, byte for byte");
    }

    /// Fails every write after the first `left` bytes.
    struct FailingWriter {
        left: usize,
    }

    impl Write for FailingWriter {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            if self.left < data.len() {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
            self.left -= data.len();
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_writer_stops_the_batch_with_its_error() {
        let assessor = assessor();
        let mut writer = ReportWriter::new(FailingWriter { left: 100_000 }, Format::Ndjson, false);
        let mut chunks = 0;
        let err = write_batch(
            &assessor,
            &inputs(),
            &AssessOptions::default(),
            false,
            &mut writer,
            |_| chunks += 1,
        )
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(chunks, 0, "the first chunk already failed");
    }
}
