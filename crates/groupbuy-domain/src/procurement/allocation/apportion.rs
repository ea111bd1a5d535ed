//! Largest-remainder (Hamilton) apportionment: whole units shared in proportion to weights,
//! summing exactly to the total. Used for short supply and for splitting the organiser's fee.

/// Splits `total` whole units among `weights` in proportion, by largest remainder; equal
/// remainders go to the earlier weight, so callers list weights in priority order.
///
/// Each share is the floor of its exact quota `total * w / sum(w)` or one more, so it is
/// within one unit of it, and the shares sum to `total`. `None` when an input is negative or
/// when there is something to share but no weight to share it by.
pub(crate) fn largest_remainder(total: i64, weights: &[i64]) -> Option<Vec<i64>> {
    if total < 0 || weights.iter().any(|w| *w < 0) {
        return None;
    }
    // i128 holds total * weight for any pair of i64, and any sum of i64 weights we meet.
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 {
        return (total == 0).then(|| vec![0; weights.len()]);
    }
    let quotas: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| {
            let numerator = i128::from(total) * i128::from(*w);
            (numerator / sum, numerator % sum)
        })
        .collect();
    let floors: i128 = quotas.iter().map(|(floor, _)| floor).sum();
    let mut leftover = i128::from(total) - floors;
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    // Stable sort: equal remainders keep their (priority) order.
    by_remainder.sort_by(|a, b| quotas[*b].1.cmp(&quotas[*a].1));
    let mut shares: Vec<i128> = quotas.iter().map(|(floor, _)| *floor).collect();
    for i in by_remainder {
        if leftover == 0 {
            break;
        }
        shares[i] += 1;
        leftover -= 1;
    }
    shares.into_iter().map(|s| i64::try_from(s).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::largest_remainder;
    use proptest::prelude::*;

    #[test]
    fn hamilton_by_hand() {
        // 30 among 20/10/7: quotas 16.22, 8.11, 5.68; floors 29; the 1 left goes to .68.
        assert_eq!(largest_remainder(30, &[20, 10, 7]), Some(vec![16, 8, 6]));
        // 20 among three equal needs: 6.67 each; the 2 left go to the first two.
        assert_eq!(largest_remainder(20, &[10, 10, 10]), Some(vec![7, 7, 6]));
        assert_eq!(largest_remainder(0, &[3, 4]), Some(vec![0, 0]));
        assert_eq!(largest_remainder(5, &[0, 0]), None);
        assert_eq!(largest_remainder(-1, &[1]), None);
    }

    proptest! {
        #[test]
        fn shares_sum_exactly_and_stay_within_one_unit_of_the_quota(
            total in 0i64..1_000_000,
            weights in prop::collection::vec(0i64..1_000_000, 1..12),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let shares = largest_remainder(total, &weights).expect("weights to share by");
            prop_assert_eq!(shares.iter().sum::<i64>(), total);
            let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            for (share, w) in shares.iter().zip(&weights) {
                let exact = i128::from(total) * i128::from(*w);
                let scaled = i128::from(*share) * sum;
                prop_assert!(scaled < exact + sum && scaled > exact - sum);
            }
        }
    }
}
