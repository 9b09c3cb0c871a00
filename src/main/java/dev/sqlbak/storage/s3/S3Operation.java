package dev.sqlbak.storage.s3;

/** An S3 API call as messages name it, with the IAM permission it needs (for the hint of a 403). */
enum S3Operation {
  LIST_OBJECTS("ListObjectsV2", "s3:ListBucket"),
  HEAD_OBJECT("HeadObject", "s3:GetObject"),
  GET_OBJECT("GetObject", "s3:GetObject"),
  PUT_OBJECT("PutObject", "s3:PutObject"),
  DELETE_OBJECT("DeleteObject", "s3:DeleteObject"),
  CREATE_MULTIPART_UPLOAD("CreateMultipartUpload", "s3:PutObject"),
  UPLOAD_PART("UploadPart", "s3:PutObject"),
  COMPLETE_MULTIPART_UPLOAD("CompleteMultipartUpload", "s3:PutObject"),
  ABORT_MULTIPART_UPLOAD("AbortMultipartUpload", "s3:AbortMultipartUpload"),
  LIST_MULTIPART_UPLOADS("ListMultipartUploads", "s3:ListBucketMultipartUploads");

  private final String apiName;
  private final String permission;

  S3Operation(String apiName, String permission) {
    this.apiName = apiName;
    this.permission = permission;
  }

  /** The name AWS's documentation and IAM policies use. */
  String apiName() {
    return apiName;
  }

  /** The IAM action the credentials need for this call. */
  String permission() {
    return permission;
  }
}
