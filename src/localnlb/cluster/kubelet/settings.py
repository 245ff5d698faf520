"""The kubelet's timing knobs, with the real kubelet's values as defaults.

Tests (and anyone who wants crash loops to cycle fast) pass shorter ones: e.g.
``KubeletSettings(crash_backoff=BackoffSettings(initial=0.2, maximum=1.0))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from localnlb.cluster.kubelet.backoff import BackoffSettings


@dataclass(frozen=True, slots=True)
class KubeletSettings:
    crash_backoff: BackoffSettings = field(default_factory=BackoffSettings)
    image_backoff: BackoffSettings = field(default_factory=BackoffSettings)
    # how soon a failed sync (a pull error shown as ErrImagePull, a CreateContainerConfigError)
    # is looked at again: the pod worker's requeue after an error.
    error_resync: float = 10.0
    # how often a running pod's configMap/secret/projected volumes are rewritten from their
    # sources besides each change the node agent passes on (the kubelet's periodic sync)
    volume_resync: float = 60.0
