//! Batch assessment streamed to a [`ReportWriter`]: sites are assessed and their records
//! encoded in parallel (rayon), a chunk at a time, and written in order — so both cores
//! work on the expensive parts (assessment and serialisation) while memory stays bounded
//! by one chunk however long the batch is. The CLI and the HTTP batch endpoint share it.

use crate::engine::assess::{summary_order, AssessOptions, Assessor, SiteInput};
use crate::io::output::{encode_record, ReportWriter};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::io::{self, Write};

/// Sites per chunk: large enough to keep both cores busy, small enough that a chunk's
/// encoded records (a few kB each) stay a few MB.
pub const CHUNK: usize = 2048;

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
        let summaries: Vec<_> = inputs.par_iter().map(|i| assessor.assess(i, options).summary).collect();
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
    let mut assessed = 0;
    for chunk in order.chunks(CHUNK) {
        let first_rank = writer.written() + 1;
        let records: Vec<(bool, Vec<u8>)> = chunk
            .par_iter()
            .enumerate()
            .map(|(offset, &i)| {
                let report = assessor.assess(&inputs[i], options);
                Ok((
                    report.error.is_none(),
                    encode_record(format, first_rank + offset, &report)?,
                ))
            })
            .collect::<io::Result<_>>()?;
        for (ok, record) in &records {
            assessed += usize::from(*ok);
            writer.write_encoded(record)?;
        }
        on_chunk(chunk.len());
    }
    Ok(assessed)
}
