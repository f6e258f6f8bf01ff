export { blobStoreContract, type BlobStoreContractOptions } from './blob-store-contract';
export {
  makeDocx,
  makeEncryptedPdf,
  makeHtmlPage,
  makeScannedPdf,
  makeTextImage,
  makeTextPdf,
  makeTruncatedPdf,
  makeZipBombDocx,
  type DocxParagraph,
} from './fixtures';
