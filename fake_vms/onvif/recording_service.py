"""The ONVIF Recording Control service (ver10, trc), read side: the camera's one recording, the
job that records into it, the job's state and the recording's options.

The simulated camera records continuously from power-on, so its one job is always active; the
configuration operations that would change that are not offered (ter:ActionNotSupported).
"""

from __future__ import annotations

from lxml import etree

from fake_vms.onvif.profile_g_common import CameraRecording, seconds_duration
from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.soap import Operation, child_text, element, invalid_arg_val, sub
from fake_vms.recording.recorder import VIDEO_TRACK

RETENTION_S = 600.0


class RecordingService:
    """GetRecordings, GetRecordingJobs, GetRecordingJobState, GetRecordingOptions."""

    def __init__(self, context: ServiceContext) -> None:
        self.camera = context.camera
        self.recording = CameraRecording(context)
        self.job_token = f"job-{context.camera.name}"

    def operations(self) -> dict[str, Operation]:
        return {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetRecordings": self.get_recordings,
            "GetRecordingJobs": self.get_recording_jobs,
            "GetRecordingJobState": self.get_recording_job_state,
            "GetRecordingOptions": self.get_recording_options,
        }

    def capabilities(self) -> etree._Element:
        return element(
            "trc:Capabilities",
            DynamicRecordings=False,
            DynamicTracks=False,
            Encoding=self.camera.codec,
            MaxRecordings=1,
            MaxRecordingJobs=1,
            Options=True,
        )

    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("trc:GetServiceCapabilitiesResponse")
        response.append(self.capabilities())
        return response

    def get_recordings(self, _request: etree._Element) -> etree._Element:
        response = element("trc:GetRecordingsResponse")
        if self.recording.current() is None:
            return response
        item = sub(response, "trc:RecordingItem")
        sub(item, "tt:RecordingToken", self.recording.token)
        configuration = sub(item, "tt:Configuration")
        self.recording.source(configuration, "tt:Source")
        sub(configuration, "tt:Content", "continuous recording")
        sub(configuration, "tt:MaximumRetentionTime", seconds_duration(RETENTION_S))
        track = sub(sub(item, "tt:Tracks"), "tt:Track")
        sub(track, "tt:TrackToken", VIDEO_TRACK)
        track_configuration = sub(track, "tt:Configuration")
        sub(track_configuration, "tt:TrackType", "Video")
        sub(track_configuration, "tt:Description", "video")
        return response

    def get_recording_jobs(self, _request: etree._Element) -> etree._Element:
        response = element("trc:GetRecordingJobsResponse")
        item = sub(response, "trc:JobItem")
        sub(item, "tt:JobToken", self.job_token)
        configuration = sub(item, "tt:JobConfiguration")
        sub(configuration, "tt:RecordingToken", self.recording.token)
        sub(configuration, "tt:Mode", "Active")
        sub(configuration, "tt:Priority", 1)
        return response

    def get_recording_job_state(self, request: etree._Element) -> etree._Element:
        token = child_text(request, "JobToken")
        if token != self.job_token:
            raise invalid_arg_val("NoRecordingJob", f"No recording job {token!r}")
        response = element("trc:GetRecordingJobStateResponse")
        state = sub(response, "trc:State")
        sub(state, "tt:RecordingToken", self.recording.token)
        sub(state, "tt:State", "Active")
        return response

    def get_recording_options(self, request: etree._Element) -> etree._Element:
        token = child_text(request, "RecordingToken")
        if token != self.recording.token:
            raise invalid_arg_val("NoRecording", f"No recording with token {token!r}")
        response = element("trc:GetRecordingOptionsResponse")
        options = sub(response, "trc:Options")
        sub(options, "trc:Job", Spare=0, CompatibleSources="")
        sub(options, "trc:Track", SpareTotal=0, SpareVideo=0, SpareAudio=0, SpareMetadata=0)
        return response
