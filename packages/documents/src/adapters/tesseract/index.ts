export { TesseractOcrEngine, type TesseractOcrEngineOptions } from './tesseract-ocr-engine';
